/**
 * Every codec of the default registry against the conformance kit (`conformance.ts`), from
 * hand-written sample frames: prefixes, split reads, limits, encode and replies, and fuzzing
 * (random bytes and damaged frames never throw, never hang, never ask to buffer past the
 * frame limit).
 *
 * A few hundred cases per property by default; `FUZZ_RUNS=100000 deno test --allow-all
 * codecs/fuzz_test.ts` for a longer run.
 */
import assert from "node:assert/strict";
import type { Side } from "./codec.ts";
import { checkCodec } from "./conformance.ts";
import { defaultRegistry } from "./registry.ts";
import { brpcFrame } from "./brpc/_testing.ts";
import { dubboFrame, hessianBody, typicalRequest } from "./dubbo/_testing.ts";
import { theader } from "./thrift/_test_bytes.ts";
import {
  bytes,
  requestFrame,
  responseFrame,
  streamFrame,
  streamInitFrame,
} from "./trpc/_testing.ts";

function runs(fallback: number): number {
  const env = Deno.permissions.querySync({ name: "env", variable: "FUZZ_RUNS" }).state;
  const n = Number(env === "granted" ? Deno.env.get("FUZZ_RUNS") : undefined);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** A frame known to be valid, and the side it is decoded from. */
interface Seed {
  readonly side: Side;
  readonly bytes: Uint8Array;
}

const enc = new TextEncoder();

/** Joins byte arrays, numbers (single bytes) and strings (raw UTF-8). */
function join(...parts: (number | string | Uint8Array | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else if (typeof p === "string") out.push(...enc.encode(p));
    else out.push(...p);
  }
  return new Uint8Array(out);
}

const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** A Hessian 2 compact string (under 32 bytes). */
const hs = (s: string) => join(enc.encode(s).length, s);

function dubbo(flag: number, status: number, id: number, body: Uint8Array): Uint8Array {
  return join(0xda, 0xbb, flag, status, u32(0), u32(id), u32(body.length), body);
}

function thriftBinary(type: number, seq: number, name: string, framed: boolean) {
  // strict binary message header, then a struct with field 1 (string "world") and stop
  const msg = join(0x80, 0x01, 0x00, type, u32(name.length), name, u32(seq));
  const body = join(msg, 0x0b, 0x00, 0x01, u32(5), "world", 0x00);
  return framed ? join(u32(body.length), body) : body;
}

function thriftCompact(type: number, seq: number, name: string) {
  return join(0x82, 0x01 | (type << 5), seq, name.length, name, 0x18, 5, "world", 0x00);
}

/** Hand-written valid frames per protocol; codecs without seeds get random bytes only. */
const SEEDS: Record<string, readonly Seed[]> = {
  dubbo: [
    {
      side: "request",
      bytes: dubbo(
        0xc2,
        0,
        7,
        join(
          hs("2.0.2"),
          hs("com.example.Greeter"),
          hs("1.0.0"),
          hs("sayHello"),
          hs("Ljava/lang/String;"),
          hs("world"),
          0x48,
          hs("path"),
          hs("com.example.Greeter"),
          0x5a,
        ),
      ),
    },
    { side: "request", bytes: dubbo(0xe2, 0, 8, join(0x4e)) },
    { side: "response", bytes: dubbo(0x02, 20, 7, join(0x91, hs("hello"))) },
    { side: "request", bytes: typicalRequest(9n) },
    { side: "response", bytes: dubboFrame(0x02, 20, 9n, hessianBody(4, ["a", 1], { k: "v" })) },
    { side: "response", bytes: dubboFrame(0x02, 50, 9n, hessianBody("upstream is gone")) },
  ],
  thrift: [
    {
      side: "request",
      bytes: theader({
        payload: join(thriftBinary(1, 5, "sayHello", false)),
        seqId: 5,
        info: [[1, [["x-user", "u1"], ["Trace-Id", "t1"]]]],
      }),
    },
    { side: "request", bytes: thriftBinary(1, 7, "sayHello", true) },
    { side: "request", bytes: thriftBinary(1, 8, "sayHello", false) },
    { side: "request", bytes: thriftCompact(1, 9, "sayHello") },
    { side: "response", bytes: thriftBinary(2, 7, "sayHello", true) },
  ],
  brpc: [
    {
      side: "request",
      bytes: brpcFrame({
        request: { service_name: "example.EchoService", method_name: "Echo", log_id: 3 },
        correlation_id: 7,
        user_fields: { env: "test" },
      }, enc.encode("body")),
    },
    { side: "response", bytes: brpcFrame({ response: { error_code: 0 }, correlation_id: 7 }) },
    {
      side: "response",
      bytes: brpcFrame({
        response: { error_code: 1001, error_text: "no service" },
        correlation_id: 8,
      }),
    },
  ],
  trpc: [
    {
      side: "request",
      bytes: requestFrame({
        request_id: 7,
        callee: bytes("trpc.test.helloworld.Greeter"),
        func: bytes("/trpc.test.helloworld.Greeter/SayHello"),
        trans_info: { env: bytes("test") },
      }, bytes("body")),
    },
    { side: "response", bytes: responseFrame({ request_id: 7, ret: 0 }, bytes("reply")) },
    { side: "request", bytes: streamInitFrame(3, { request_meta: { func: bytes("/a/B") } }) },
    { side: "request", bytes: streamFrame(2, 3, bytes("data")) },
  ],
};

for (const codec of defaultRegistry().list()) {
  const seeds = SEEDS[codec.protocol] ?? [];
  Deno.test(`${codec.protocol} codec: conforms to the codec contract (codecs/conformance.ts)`, () => {
    assert.ok(seeds.length > 0, `no sample frames for ${codec.protocol}`);
    checkCodec(codec, seeds, { runs: runs(300) });
  });
}
