import assert from "node:assert/strict";
import fc from "fast-check";
import type { DecodeResult, Message, Side } from "../codec.ts";
import { trpcCodec } from "./mod.ts";
import { bytes, readHeaderWithProtobufjs, requestFrame, transInfo, trpcTypes } from "./_testing.ts";

/** `FUZZ_RUNS=n` runs every property n times instead of fast-check's default 100. */
function runs(): fc.Parameters<unknown> {
  const n = Number(
    Deno.permissions.querySync({ name: "env", variable: "FUZZ_RUNS" }).state === "granted"
      ? Deno.env.get("FUZZ_RUNS")
      : undefined,
  );
  return Number.isInteger(n) && n > 0 ? { numRuns: n } : {};
}

/** Keys from a small alphabet, so case-insensitive collisions and named-field clashes happen. */
const key = fc.oneof(
  fc.constantFrom("func", "Callee", "Error_Msg", "env", "ENV", "trpc-dyeing-key", ""),
  fc.string({ unit: fc.constantFrom("a", "B", "c", "-", "é"), maxLength: 4 }),
);
const text = fc.string({ unit: "grapheme", maxLength: 12 });
const header = fc.record({
  request_id: fc.nat({ max: 0xffffffff }),
  call_type: fc.constantFrom(0, 1),
  caller: text,
  callee: text,
  func: text,
  trans_info: fc.dictionary(key, text, { maxKeys: 5 }),
});
type Header = typeof header extends fc.Arbitrary<infer T> ? T : never;
const body = fc.uint8Array({ maxLength: 64 });

function build(h: Header, b: Uint8Array): Uint8Array {
  return requestFrame({
    ...h,
    caller: bytes(h.caller),
    callee: bytes(h.callee),
    func: bytes(h.func),
    trans_info: transInfo(h.trans_info),
  }, b);
}

/** The metadata the codec must expose: the named fields, then trans_info lower-cased. */
function expected(h: Header, trans: Iterable<[string, string]>): Record<string, string> {
  const m = new Map<string, string>();
  for (const k of ["caller", "callee", "func"] as const) m.set(k, h[k]);
  for (const [k, v] of trans) {
    if (!["caller", "callee", "func", "error_msg"].includes(k.toLowerCase())) {
      m.set(k.toLowerCase(), v);
    }
  }
  return Object.fromEntries(m);
}

function decoded(result: DecodeResult): Message {
  if (result.kind !== "message") assert.fail(`expected a message, got ${result.kind}`);
  return result.message;
}

Deno.test("trpcCodec round-trips protobufjs requests through decode and encode", () => {
  const mutation = fc.dictionary(key, text, { maxKeys: 4 });
  fc.assert(
    fc.property(header, body, mutation, (h, b, mut) => {
      const m = decoded(trpcCodec.decode(build(h, b)));
      assert.equal(m.requestId, BigInt(h.request_id));
      assert.equal(m.type, h.call_type === 1 ? "oneway" : "request");
      const want = expected(h, Object.entries(h.trans_info));
      // Lookups before anything is iterated (decoded one by one) agree with the full map.
      const probes = [...Object.keys(want), ...Object.keys(h.trans_info), "ENV", "missing"];
      for (const k of probes) assert.equal(m.metadata.get(k), want[k], `get("${k}")`);
      assert.deepEqual(Object.fromEntries(m.metadata), want);
      assert.equal(m.metadata.size, Object.keys(want).length);
      const result = trpcCodec.encode(m, new Map(Object.entries(mut)));
      if (result.kind !== "ok") assert.fail(result.reason);
      const lowered = new Set(Object.keys(mut).map((k) => k.toLowerCase()));
      const kept = Object.entries(h.trans_info).filter(([k]) => !lowered.has(k.toLowerCase()));
      const after = [...kept, ...Object.entries(mut)];
      const again = decoded(trpcCodec.decode(result.bytes));
      assert.deepEqual(Object.fromEntries(again.metadata), expected(h, after));
      assert.deepEqual(again.frame.subarray(again.headerSize), b);
      const peer = readHeaderWithProtobufjs(trpcTypes().Request, result.bytes);
      assert.deepEqual(peer.trans_info ?? {}, Object.fromEntries(after));
    }),
    runs(),
  );
});

/** Decodes a stream that arrives in `chunks`, the way a connection buffer does. */
function decodeChunks(chunks: Uint8Array[], side: Side): Message[] {
  const out: Message[] = [];
  let buffered = new Uint8Array();
  for (const chunk of chunks) {
    const next = new Uint8Array(buffered.length + chunk.length);
    next.set(buffered);
    next.set(chunk, buffered.length);
    buffered = next;
    for (;;) {
      const r = trpcCodec.decode(buffered, { side });
      if (r.kind === "invalid") assert.fail(r.reason);
      if (r.kind === "need-more") break;
      out.push(r.message);
      buffered = buffered.subarray(r.bytesConsumed);
    }
  }
  assert.equal(buffered.length, 0);
  return out;
}

Deno.test("trpcCodec.decode() yields the same messages however the stream is split", () => {
  const frames = fc.array(fc.tuple(header, body), { minLength: 1, maxLength: 4 });
  const cuts = fc.array(fc.nat(), { maxLength: 8 });
  fc.assert(
    fc.property(frames, cuts, (fs, cs) => {
      const whole = fs.map(([h, b]) => build(h, b));
      const all = new Uint8Array(whole.reduce((n, f) => n + f.length, 0));
      whole.reduce((at, f) => (all.set(f, at), at + f.length), 0);
      const points = [...new Set(cs.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...points].map((p, i) => all.subarray(p, [...points, all.length][i]));
      const split = decodeChunks(chunks, "request");
      assert.equal(split.length, fs.length);
      split.forEach((m, i) => {
        assert.equal(m.requestId, BigInt(fs[i][0].request_id));
        assert.deepEqual(m.frame, whole[i]);
      });
    }),
    runs(),
  );
});

function checkWellFormed(input: Uint8Array, max: number, side: Side): void {
  const r = trpcCodec.decode(input, { maxFrameSize: max, side });
  if (r.kind === "need-more") assert.ok((r.frameSize ?? 0) <= max);
  else if (r.kind === "invalid") assert.ok(r.offset >= 0 && r.offset <= input.length);
  else {
    assert.ok(r.bytesConsumed >= 16 && r.bytesConsumed <= Math.min(input.length, max));
    assert.equal(r.message.headerSize + r.message.bodySize, r.bytesConsumed);
    trpcCodec.encode(r.message, new Map([["k", "v"]]));
    trpcCodec.errorReply(r.message, { type: "Unspecified", message: "x" });
  }
}

Deno.test("trpcCodec.decode() never throws on random or damaged bytes", () => {
  const side = fc.constantFrom<Side>("request", "response");
  const max = fc.integer({ min: 16, max: 4096 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), max, side, checkWellFormed), runs());
  const valid = fc.tuple(header, body).map(([h, b]) => build(h, b));
  const damage = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 });
  fc.assert(
    fc.property(valid, damage, max, side, (f, d, m, s) => {
      const bad = f.slice();
      for (const [at, v] of d) bad[at % bad.length] = v;
      // Damage behind the size fields often; keep the magic half the time so the header is read.
      if (d.length % 2 === 0) [bad[0], bad[1]] = [0x09, 0x30];
      checkWellFormed(bad, m, s);
    }),
    runs(),
  );
});
