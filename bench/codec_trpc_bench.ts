/**
 * tRPC codec: extracting the routing metadata of a typical unary request (caller, callee,
 * func, a few trans_info entries, a protobuf body) versus protobufjs decoding the same
 * `RequestProtocol` header and the body message. The codec decodes metadata strings on use,
 * so it is measured twice: reading what a router reads, and reading every string.
 *
 * Run: `deno bench --allow-all bench/codec_trpc_bench.ts`
 */
import protobuf from "protobufjs";
import { trpcCodec } from "../codecs/trpc/mod.ts";
import { bytes, requestFrame, transInfo, trpcTypes } from "../codecs/trpc/_testing.ts";

const BODY_PROTO = `
syntax = "proto3";
package trpc.test.helloworld;
message HelloRequest {
  string msg = 1;
  int64 user_id = 2;
  repeated string tags = 3;
  map<string, string> labels = 4;
}`;
const HelloRequest = protobuf.parse(BODY_PROTO).root.lookupType(
  "trpc.test.helloworld.HelloRequest",
);
const { Request } = trpcTypes();

const body = HelloRequest.encode(HelloRequest.fromObject({
  msg: "hello from the benchmark",
  user_id: 1234567890123,
  tags: ["blue", "canary", "eu-west"],
  labels: { team: "payments", tier: "gold" },
})).finish();

const frame = requestFrame({
  version: 0,
  call_type: 0,
  request_id: 424242,
  timeout: 3000,
  caller: bytes("trpc.app.frontend.Gateway"),
  callee: bytes("trpc.test.helloworld.Greeter"),
  func: bytes("/trpc.test.helloworld.Greeter/SayHello"),
  trans_info: transInfo({
    "trpc-dyeing-key": "user-42",
    "trpc-env": "test",
    "x-request-id": "4f2a1c9e-5b7d-4e1a-9c3f-2b8d6e0a7f11",
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  }),
  content_type: 0,
}, body);
const pbSize = new DataView(frame.buffer).getUint16(8);
const header = frame.subarray(16, 16 + pbSize);
const payload = frame.subarray(16 + pbSize);

const check = trpcCodec.decode(frame);
if (check.kind !== "message" || check.message.metadata.get("trpc-env") !== "test") {
  throw new Error("Cannot run the tRPC benchmark: the typical request does not decode");
}

Deno.bench("trpcCodec.decode() + routing lookups", { group: "trpc", baseline: true }, () => {
  const result = trpcCodec.decode(frame);
  if (result.kind !== "message") throw new Error("Cannot decode the benchmark frame");
  // What a router reads: a callee match, a func prefix, one trans_info header.
  const m = result.message.metadata;
  if (!m.get("callee") || !m.get("func") || m.get("trpc-env") !== "test") {
    throw new Error("Cannot read the benchmark metadata");
  }
});

Deno.bench("trpcCodec.decode() + every metadata string", { group: "trpc" }, () => {
  const result = trpcCodec.decode(frame);
  if (result.kind !== "message") throw new Error("Cannot decode the benchmark frame");
  let n = 0;
  for (const [k, v] of result.message.metadata) n += k.length + v.length;
  if (n === 0) throw new Error("Cannot read the benchmark metadata");
});

Deno.bench("protobufjs RequestProtocol + body decode", { group: "trpc" }, () => {
  const h = Request.decode(header) as unknown as { trans_info: Record<string, Uint8Array> };
  if (h.trans_info["trpc-env"] === undefined) throw new Error("Cannot decode the header");
  HelloRequest.decode(payload);
});

Deno.bench("protobufjs RequestProtocol decode only", { group: "trpc" }, () => {
  Request.decode(header);
});

const mutation = new Map([["x-request-id", "0d4b1c2e-9f7a-4c1b-8e5d-3a6f2b9c7e10"]]);
const message = check.message;

Deno.bench("trpcCodec.encode() with one trans_info entry", { group: "trpc-encode" }, () => {
  trpcCodec.encode(message, mutation);
});
