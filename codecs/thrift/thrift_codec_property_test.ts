import assert from "node:assert/strict";
import fc from "fast-check";
import type { DecodeOptions, DecodeResult, Message } from "../codec.ts";
import { DEFAULT_MAX_FRAME_SIZE } from "../codec.ts";
import { thriftCodec, type ThriftDetail } from "./mod.ts";
import { libCall, libReadHeaders, type Stack, STACKS } from "./_test_peer.ts";
import { Req } from "./_test_service.ts";
import { be32, bytes, compactHeader, strictHeader } from "./_test_bytes.ts";
import { anyString } from "../_unicode_testing.ts";

/** Short by default; `FUZZ_RUNS=20000 deno test -A codecs/thrift` (or `deno task fuzz`) runs longer. */
const SCALE = Number(Deno.env.get("FUZZ_RUNS") ?? 0) / 200 || 1;
const RUNS = { numRuns: Math.round(200 * SCALE) };
const HEADER_STACKS = STACKS.filter((s) => s.expect.transport === "header");

const text = anyString({ maxLength: 12 });
const headerKey = text.map((k) => k.toLowerCase()).filter((k) => k !== "method");
const headerPairs = fc.uniqueArray(fc.tuple(headerKey, text), {
  selector: ([k]) => k,
  maxLength: 4,
});
const req = fc.record({
  name: text,
  count: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  tags: fc.array(text, { maxLength: 4 }),
  scores: fc.array(fc.tuple(text, fc.integer()), { maxLength: 3 }).map((e) => new Map(e)),
}).map((r) => new Req(r));
const call = fc.record({
  method: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,15}$/),
  seqid: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  type: fc.integer({ min: 1, max: 4 }),
  req,
  headers: headerPairs,
});
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

function write(s: Stack, c: Call): Uint8Array {
  return libCall(s, { ...c, headers: Object.fromEntries(c.headers) });
}

/** Decodes `input` as a proxy does, frame after frame, checking the contract on the way. */
function decodeAll(input: Uint8Array, options?: DecodeOptions): Message[] {
  const out: Message[] = [];
  for (let at = 0; at < input.length;) {
    const result = checked(input.subarray(at), options);
    if (result.kind !== "message") assert.fail(`stopped at ${at}: ${JSON.stringify(result)}`);
    out.push(result.message);
    at += result.bytesConsumed;
  }
  return out;
}

/** Decodes once and checks what must hold for any input. */
function checked(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const result = thriftCodec.decode(input, options);
  if (result.kind === "need-more") {
    assert.ok(input.length < max, "asks for more beyond the frame-size limit");
    if (result.frameSize !== undefined) {
      assert.ok(result.frameSize > input.length && result.frameSize <= max);
    }
  } else if (result.kind === "message") {
    const m = result.message;
    assert.ok(result.bytesConsumed > 0 && result.bytesConsumed <= Math.min(input.length, max));
    assert.equal(m.frame.length, result.bytesConsumed);
    assert.equal(m.headerSize + m.bodySize, m.frame.length);
    assert.ok(m.headerSize > 0 && m.bodySize >= 0);
  } else {
    assert.equal(result.kind, "invalid");
    assert.match(result.reason, /^Cannot decode Thrift message: /);
    assert.ok(result.offset >= 0 && result.offset <= input.length, `offset ${result.offset}`);
  }
  return result;
}

Deno.test("thriftCodec.decode() reads any message the thrift library writes", () => {
  fc.assert(
    fc.property(fc.constantFrom(...STACKS), call, (s, c) => {
      const frame = write(s, c);
      const [m] = decodeAll(frame);
      assert.equal(m.metadata.get("method"), c.method);
      assert.equal(m.requestId, BigInt(c.seqid >>> 0));
      assert.equal(m.type, ["request", "response", "error", "oneway"][c.type - 1]);
      const { transport, protocol, strict } = m.detail as ThriftDetail;
      assert.deepEqual({ transport, protocol, strict }, s.expect);
      if (s.expect.transport === "header") {
        assert.deepEqual(m.metadata, new Map([...c.headers, ["method", c.method]]));
      }
    }),
    RUNS,
  );
});

Deno.test("thriftCodec.decode() round-trips encode() for the header transport", () => {
  fc.assert(
    fc.property(fc.constantFrom(...HEADER_STACKS), call, headerPairs, (s, c, mutation) => {
      const [m] = decodeAll(write(s, { ...c, type: 1 }));
      const result = thriftCodec.encode(m, new Map(mutation));
      if (result.kind !== "ok") assert.fail(result.reason);
      const [again] = decodeAll(result.bytes);
      const expected = new Map([...c.headers, ...mutation]);
      assert.deepEqual(libReadHeaders(result.bytes), Object.fromEntries(expected));
      expected.set("method", c.method);
      assert.deepEqual(new Map([...again.metadata].sort()), new Map([...expected].sort()));
      assert.equal(again.requestId, m.requestId);
      const payload = (x: Message) => x.frame.subarray((x.detail as ThriftDetail).payloadOffset);
      assert.deepEqual(payload(again), payload(m));
    }),
    RUNS,
  );
});

Deno.test("thriftCodec.decode() yields the same messages however the stream is split", () => {
  const stream = fc.constantFrom(...STACKS).chain((s) =>
    fc.tuple(fc.constant(s), fc.array(call, { minLength: 1, maxLength: 4 }))
  );
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), ([s, calls], cuts) => {
      const frames = calls.map((c) => write(s, c));
      const whole = bytes(...frames);
      const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
      const seen: Uint8Array[] = [];
      let buffer: Uint8Array = new Uint8Array(0);
      for (const [from, to] of pairs([0, ...points, whole.length])) {
        buffer = bytes(buffer, whole.subarray(from, to));
        for (;;) {
          const result = checked(buffer);
          if (result.kind === "need-more") break;
          if (result.kind !== "message") assert.fail(JSON.stringify(result));
          seen.push(result.message.frame.slice());
          buffer = buffer.subarray(result.bytesConsumed);
        }
      }
      assert.equal(buffer.length, 0);
      assert.deepEqual(seen, frames);
    }),
    RUNS,
  );
});

Deno.test("thriftCodec.decode() never throws on random bytes and respects the frame limit", () => {
  const prefixes = [
    [],
    strictHeader("m", 1, 1),
    compactHeader("m", 2, 1),
    [0x82, 0x21, 1, 1, 0x6d],
    [0, 0, 0, 0x20, 0x80, 0x01, 0, 1],
    [0, 0, 0, 0x20, 0x0f, 0xff, 0, 0, 0, 0, 0, 0, 0, 1],
  ];
  const input = fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }))
    .map(([prefix, rest]) => bytes(prefix, rest));
  const limit = fc.constantFrom(DEFAULT_MAX_FRAME_SIZE, 64, 300);
  fc.assert(
    fc.property(input, limit, (b, maxFrameSize) => {
      checked(b, { maxFrameSize });
    }),
    { numRuns: Math.round(500 * SCALE) },
  );
});

Deno.test("thriftCodec.decode() never throws on mutated frames of the thrift library", () => {
  const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
    minLength: 1,
    maxLength: 4,
  });
  const limit = fc.constantFrom(DEFAULT_MAX_FRAME_SIZE, 96);
  fc.assert(
    fc.property(fc.constantFrom(...STACKS), call, edits, limit, (s, c, changes, maxFrameSize) => {
      const frame = write(s, c);
      for (const [at, value] of changes) frame[at % frame.length] = value;
      checked(frame, { maxFrameSize });
      // A mutated size field must not make the codec wait beyond the limit either.
      checked(bytes(be32(maxFrameSize), frame.subarray(4)), { maxFrameSize });
    }),
    { numRuns: Math.round(300 * SCALE) },
  );
});

function pairs(points: number[]): [number, number][] {
  return points.slice(1).map((to, i) => [points[i], to]);
}
