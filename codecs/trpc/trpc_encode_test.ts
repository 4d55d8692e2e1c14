import assert from "node:assert/strict";
import type { DecodeResult, EncodeResult, Message } from "../codec.ts";
import { trpcCodec } from "./mod.ts";
import {
  bytes,
  frame,
  readHeaderWithProtobufjs,
  requestFrame,
  responseFrame,
  streamFrame,
  streamInitFrame,
  transInfo,
  trpcTypes,
} from "./_testing.ts";

const REQUEST = {
  request_id: 42,
  timeout: 1000,
  caller: bytes("trpc.app.client.Caller"),
  callee: bytes("trpc.test.helloworld.Greeter"),
  func: bytes("/trpc.test.helloworld.Greeter/SayHello"),
  trans_info: transInfo({ keep: "me", Version: "v1" }),
  content_encoding: 1,
  attachment_size: 3,
};
const BODY = bytes("protobuf body bytes");

function decoded(result: DecodeResult): Message {
  if (result.kind !== "message") assert.fail(`expected a message, got ${result.kind}`);
  return result.message;
}

function encoded(result: EncodeResult): Uint8Array {
  if (result.kind !== "ok") assert.fail(`expected ok, got ${result.reason}`);
  return result.bytes;
}

const mutation = (entries: Record<string, string>) => new Map(Object.entries(entries));

Deno.test("trpcCodec.encode() returns the original frame when nothing changes", () => {
  const m = decoded(trpcCodec.decode(requestFrame(REQUEST, BODY)));
  assert.equal(encoded(trpcCodec.encode(m, new Map())), m.frame);
  assert.equal(encoded(trpcCodec.encode(m, mutation({ keep: "me" }))), m.frame);
});

Deno.test("trpcCodec.encode() writes the mutation into trans_info as protobufjs reads it", () => {
  const m = decoded(trpcCodec.decode(requestFrame(REQUEST, BODY)));
  const out = encoded(trpcCodec.encode(m, mutation({ version: "v10", foo: "bar", "x-ü": "ç" })));
  const header = readHeaderWithProtobufjs(trpcTypes().Request, out);
  assert.deepEqual(header, {
    request_id: 42,
    timeout: 1000,
    caller: "trpc.app.client.Caller",
    callee: "trpc.test.helloworld.Greeter",
    func: "/trpc.test.helloworld.Greeter/SayHello",
    trans_info: { keep: "me", version: "v10", foo: "bar", "x-ü": "ç" },
    content_encoding: 1,
    attachment_size: 3,
  });
  const view = new DataView(out.buffer, out.byteOffset);
  assert.equal(view.getUint32(4), out.length);
  assert.deepEqual(out.subarray(out.length - BODY.length), BODY);
  const again = decoded(trpcCodec.decode(out));
  assert.equal(again.metadata.get("version"), "v10");
  assert.equal(again.bodySize, BODY.length);
});

Deno.test("trpcCodec.encode() copies fields it does not know byte for byte", () => {
  const unknown = [0xa0, 0x01, 0x96, 0x01, 0xb5, 0x01, 1, 2, 3, 4];
  const known = requestFrame(REQUEST).subarray(16);
  const input = frame(new Uint8Array([...known, ...unknown]), BODY);
  const m = decoded(trpcCodec.decode(input));
  const out = encoded(trpcCodec.encode(m, mutation({ version: "v2" })));
  const pb = out.subarray(16, 16 + new DataView(out.buffer, out.byteOffset).getUint16(8));
  const hex = (a: ArrayLike<number>) =>
    Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.ok(hex(pb).includes(hex(unknown)), "unknown fields must survive");
  assert.deepEqual(readHeaderWithProtobufjs(trpcTypes().Request, out).trans_info, {
    keep: "me",
    version: "v2",
  });
});

Deno.test("trpcCodec.encode() writes response mutations into field 8", () => {
  const input = responseFrame({ request_id: 5, ret: 0, trans_info: transInfo({ a: "1" }) }, BODY);
  const m = decoded(trpcCodec.decode(input, { side: "response" }));
  const out = encoded(trpcCodec.encode(m, mutation({ b: "2" })));
  assert.deepEqual(readHeaderWithProtobufjs(trpcTypes().Response, out), {
    request_id: 5,
    trans_info: { a: "1", b: "2" },
  });
});

Deno.test("trpcCodec.encode() refuses what a frame cannot carry", () => {
  const data = decoded(trpcCodec.decode(streamFrame(2, 3, BODY)));
  assert.equal(encoded(trpcCodec.encode(data, new Map())), data.frame);
  const refused = trpcCodec.encode(data, mutation({ a: "b" }));
  assert.deepEqual(refused, {
    kind: "unsupported",
    reason: "Cannot write mutation into tRPC frame: stream frames carry no headers to mutate",
  });
  const m = decoded(trpcCodec.decode(requestFrame(REQUEST)));
  const huge = trpcCodec.encode(m, mutation({ big: "x".repeat(70_000) }));
  assert.equal(huge.kind, "unsupported");
  const foreign = trpcCodec.encode({ ...m, detail: undefined }, mutation({ a: "b" }));
  assert.equal(foreign.kind, "unsupported");
});

Deno.test("trpcCodec.errorReply() answers a unary request with a ResponseProtocol", () => {
  const request = decoded(trpcCodec.decode(requestFrame({ ...REQUEST, request_id: 4000000000 })));
  const reply = trpcCodec.errorReply(request, {
    type: "RouteNotFound",
    message: "meta protocol router: no matched route for request '4000000000'",
  });
  assert.deepEqual(readHeaderWithProtobufjs(trpcTypes().Response, reply), {
    request_id: 4000000000,
    ret: 11,
    func_ret: 11,
    error_msg: "meta protocol router: no matched route for request '4000000000'",
  });
  const back = decoded(trpcCodec.decode(reply, { side: "response" }));
  assert.deepEqual([back.type, back.status, back.requestId, back.bodySize], [
    "response",
    "error",
    4000000000n,
    0,
  ]);
  const other = trpcCodec.errorReply(request, { type: "OverLimit", message: "slow down" });
  assert.equal(readHeaderWithProtobufjs(trpcTypes().Response, other).ret, 31);
});

Deno.test("trpcCodec.errorReply() answers a stream INIT with an INIT frame", () => {
  const init = decoded(trpcCodec.decode(streamInitFrame(0xfffffff0, {
    request_meta: { callee: bytes("svc"), func: bytes("/a/B") },
  })));
  const reply = trpcCodec.errorReply(init, { type: "NoHealthyUpstream", message: "no host" });
  assert.deepEqual([reply[2], reply[3]], [1, 1]);
  assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(10), 0xfffffff0);
  assert.deepEqual(readHeaderWithProtobufjs(trpcTypes().StreamInit, reply), {
    response_meta: { ret: 31, error_msg: "no host" },
  });
  const back = decoded(trpcCodec.decode(reply, { side: "response" }));
  assert.deepEqual([back.type, back.status, back.streamId], ["stream_init", "error", 0xfffffff0]);
});
