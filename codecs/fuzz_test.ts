/**
 * Fuzzing every codec of the default registry: random bytes and damaged valid frames never
 * throw, never hang (every loop is bounded), never ask to buffer past the frame limit, and
 * a decode loop over a concatenated stream always makes progress.
 *
 * A few hundred cases per property by default; `FUZZ_RUNS=100000 deno test --allow-all
 * codecs/fuzz_test.ts` for a longer run.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Codec, Side } from "./codec.ts";
import { defaultRegistry } from "./registry.ts";
import {
  bytes,
  requestFrame,
  responseFrame,
  streamFrame,
  streamInitFrame,
} from "./trpc/_testing.ts";

function runs(fallback: number): { numRuns: number } {
  const env = Deno.permissions.querySync({ name: "env", variable: "FUZZ_RUNS" }).state;
  const n = Number(env === "granted" ? Deno.env.get("FUZZ_RUNS") : undefined);
  return { numRuns: Number.isInteger(n) && n > 0 ? n : fallback };
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
  ],
  thrift: [
    { side: "request", bytes: thriftBinary(1, 7, "sayHello", true) },
    { side: "request", bytes: thriftBinary(1, 8, "sayHello", false) },
    { side: "request", bytes: thriftCompact(1, 9, "sayHello") },
    { side: "response", bytes: thriftBinary(2, 7, "sayHello", true) },
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

const CODECS = defaultRegistry().list();
const SIDE = fc.constantFrom<Side>("request", "response");
/** Small limits make the limit checks bite; undefined means the 16 MiB default. */
const LIMIT = fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined });

/** Decodes once and checks the result against the contract; throws on any violation. */
function checkOnce(codec: Codec, input: Uint8Array, side: Side, limit?: number): number {
  const r = codec.decode(input, { side, maxFrameSize: limit });
  const max = limit ?? 16 * 1024 * 1024;
  if (r.kind === "need-more") {
    if (r.frameSize !== undefined) {
      assert.ok(r.frameSize <= max, `need-more ${r.frameSize} > ${max}`);
    }
    return 0;
  }
  if (r.kind === "invalid") {
    assert.ok(Number.isInteger(r.offset) && r.offset >= 0, `offset ${r.offset}`);
    assert.equal(typeof r.reason, "string");
    return 0;
  }
  const m = r.message;
  assert.ok(r.bytesConsumed > 0 && r.bytesConsumed <= input.length, "bytesConsumed in range");
  assert.equal(m.headerSize + m.bodySize, m.frame.length);
  codec.encode(m, new Map([["x-fuzz", "1"]]));
  codec.errorReply(m, { type: "Unspecified", message: "fuzz" });
  codec.heartbeatReply(m);
  return r.bytesConsumed;
}

/** Decodes `input` frame after frame; every message must move forward. Returns the count. */
function decodeLoop(codec: Codec, input: Uint8Array, side: Side, limit?: number): number {
  let offset = 0;
  let count = 0;
  // Each message consumes at least one byte, so this bound is never reached by a correct codec.
  for (let i = 0; i <= input.length; i++) {
    const used = checkOnce(codec, input.subarray(offset), side, limit);
    if (used === 0) return count;
    offset += used;
    count++;
  }
  assert.fail("decode loop did not stop");
}

function damage(seed: Uint8Array, edits: [number, number, number][]): Uint8Array {
  let out = Array.from(seed);
  for (const [op, at, value] of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 0) out[i] = value;
    else if (op === 1) out.splice(i, 0, value);
    else if (op === 2) out.splice(i, 1);
    else out = out.slice(0, i);
  }
  return new Uint8Array(out);
}

for (const codec of CODECS) {
  const seeds = SEEDS[codec.protocol] ?? [];

  Deno.test(`${codec.protocol} codec: seed frames decode and concatenate`, () => {
    for (const seed of seeds) {
      const twice = join(seed.bytes, seed.bytes, seed.bytes);
      assert.equal(decodeLoop(codec, twice, seed.side), 3, `seed of ${seed.bytes.length} bytes`);
    }
  });

  Deno.test(`${codec.protocol} codec: random bytes never throw or over-buffer`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), SIDE, LIMIT, (input, side, limit) => {
        decodeLoop(codec, input, side, limit);
      }),
      runs(300),
    );
  });

  if (seeds.length === 0) continue;
  const seed = fc.constantFrom(...seeds);
  const edit = fc.tuple(fc.nat(3), fc.nat(), fc.integer({ min: 0, max: 255 }));

  Deno.test(`${codec.protocol} codec: damaged frames never throw or over-buffer`, () => {
    fc.assert(
      fc.property(seed, fc.array(edit, { maxLength: 5 }), LIMIT, (s, edits, limit) => {
        decodeLoop(codec, damage(s.bytes, edits), s.side, limit);
      }),
      runs(500),
    );
  });

  Deno.test({
    name: `${codec.protocol} codec: complete frames above the limit are invalid`,
    fn() {
      for (const { bytes, side } of seeds) {
        const over = codec.decode(bytes, { side, maxFrameSize: bytes.length - 1 });
        assert.notEqual(over.kind, "message", `a ${bytes.length}-byte frame passed the limit`);
        assert.equal(codec.decode(bytes, { side, maxFrameSize: bytes.length }).kind, "message");
      }
    },
  });

  Deno.test({
    name: `${codec.protocol} codec: invalid results point at a byte of the input`,
    fn() {
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.tuple(seed, fc.array(edit, { maxLength: 5 })).map(([s, e]) => damage(s.bytes, e)),
      );
      fc.assert(
        fc.property(input, SIDE, LIMIT, (bytes, side, limit) => {
          const r = codec.decode(bytes, { side, maxFrameSize: limit });
          if (r.kind !== "invalid") return;
          const where = `offset ${r.offset} of ${bytes.length} bytes (${r.reason})`;
          assert.ok(r.offset <= bytes.length, where);
        }),
        runs(500),
      );
    },
  });

  Deno.test(`${codec.protocol} codec: a stream of frames decodes frame after frame`, () => {
    fc.assert(
      fc.property(SIDE, fc.array(seed, { minLength: 1, maxLength: 6 }), (side, picked) => {
        const same = picked.filter((s) => s.side === side);
        const stream = join(...same.map((s) => s.bytes), 0xff);
        assert.equal(decodeLoop(codec, stream, side), same.length);
      }),
      runs(200),
    );
  });
}
