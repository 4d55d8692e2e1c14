/**
 * The codec conformance kit: `checkCodec` holds a codec to the contract of `codec.ts`, the
 * way the proxy relies on it, from a few valid sample frames. The built-in codecs pass it in
 * CI (`codecs/fuzz_test.ts`); a codec of your own should too, in its own test:
 *
 * ```ts
 * import { checkCodec } from "./conformance.ts";
 * import { dubboCodec } from "./dubbo/mod.ts";
 * import { typicalRequest } from "./dubbo/_testing.ts";
 *
 * checkCodec(dubboCodec, [{ side: "request", bytes: typicalRequest() }], { runs: 20 });
 * ```
 *
 * Checks, each failing with an `AssertionError` that names it and the sample:
 * - every sample decodes to one message that spans exactly its frame, as a view of the input
 *   (no copy), with lower-case metadata keys and `headerSize + bodySize` equal to its size;
 * - strict prefixes of a sample (all of its first 64 bytes, then 64 more) ask for more bytes,
 *   never for more than the frame;
 * - a stream of samples, split anywhere into reads, decodes to the same messages as whole;
 * - random bytes and damaged samples never throw, never loop, never ask to buffer past
 *   `maxFrameSize`, and point invalid results at a byte of the input;
 * - a complete frame above `maxFrameSize` is never a message;
 * - `encode` with no mutation returns the frame itself, and a mutation is either readable
 *   again after decoding (the rest of the metadata kept) or `unsupported` with a reason;
 * - `errorReply` to a request decodes, from the other side, as one error for the same id;
 * - `heartbeatReply` to a heartbeat, when there is one, decodes as a heartbeat;
 * - `rewriteRequestId`, when the codec has it, gives a frame that decodes to the same
 *   message with the new id (small and large ids), and rewriting back restores the
 *   original bytes' meaning (a request or response without an id may say `undefined`).
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { Codec, DecodeResult, Message, Side } from "./codec.ts";
import { DEFAULT_MAX_FRAME_SIZE } from "./codec.ts";

/** A valid frame and the side it travels on. */
export interface Sample {
  readonly side: Side;
  readonly bytes: Uint8Array;
}

/** Options of {@link checkCodec}. */
export interface CheckOptions {
  /** fast-check runs per property (each sample is also checked once, always). @default 200 */
  readonly runs?: number;
  /** A fixed fast-check seed, to replay a failure. */
  readonly seed?: number;
}

/** Holds `codec` to the codec contract, from valid `samples` (see the module docs). */
export function checkCodec(codec: Codec, samples: readonly Sample[], options?: CheckOptions) {
  assert.ok(samples.length > 0, "checkCodec needs at least one sample frame");
  const params = { numRuns: options?.runs ?? 200, seed: options?.seed };
  for (const [i, sample] of samples.entries()) {
    const label = `${codec.protocol} sample ${i} (${sample.side}, ${sample.bytes.length} bytes)`;
    const message = checkSample(codec, sample, label);
    checkPrefixes(codec, sample, label);
    checkLimit(codec, sample, label);
    checkEncode(codec, sample, message, label);
    checkReplies(codec, sample, message, label);
    checkRewriteId(codec, sample, label);
  }
  checkSplitStreams(codec, samples, params);
  checkHostileBytes(codec, samples, params);
}

function other(side: Side): Side {
  return side === "request" ? "response" : "request";
}

function expectMessage(r: DecodeResult, label: string): [Message, number] {
  if (r.kind !== "message") assert.fail(`${label}: expected a message, got ${JSON.stringify(r)}`);
  return [r.message, r.bytesConsumed];
}

function checkSample(codec: Codec, { side, bytes }: Sample, label: string): Message {
  const r = codec.decode(bytes, { side });
  if (r.kind !== "message") assert.fail(`${label}: does not decode: ${JSON.stringify(r)}`);
  const m = r.message;
  assert.equal(r.bytesConsumed, bytes.length, `${label}: bytesConsumed is not the frame size`);
  assert.equal(m.frame.length, bytes.length, `${label}: message.frame is not the whole frame`);
  assert.ok(
    m.frame.buffer === bytes.buffer && m.frame.byteOffset === bytes.byteOffset,
    `${label}: message.frame must be a view of the input, not a copy`,
  );
  assert.equal(m.headerSize + m.bodySize, bytes.length, `${label}: headerSize + bodySize`);
  assert.equal(typeof m.requestId, "bigint", `${label}: requestId must be a bigint`);
  for (const [key, value] of m.metadata) {
    assert.equal(key, key.toLowerCase(), `${label}: metadata key "${key}" is not lower-case`);
    assert.equal(typeof value, "string", `${label}: metadata "${key}" is not a string`);
    assert.equal(m.metadata.get(key), value, `${label}: metadata.get("${key}") disagrees`);
  }
  // Decoding the same frame inside a larger read gives the same message.
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 3);
  const [again, used] = expectMessage(codec.decode(padded.subarray(3), { side }), label);
  assert.equal(used, bytes.length, `${label}: a frame followed by more bytes`);
  assert.deepEqual(summary(again), summary(m), `${label}: the same frame at another offset`);
  return m;
}

/** What two decodes of the same frame must agree on. */
function summary(m: Message): unknown {
  return {
    type: m.type,
    requestId: m.requestId,
    streamId: m.streamId,
    status: m.status,
    metadata: [...m.metadata],
    operation: m.operation,
    headerSize: m.headerSize,
    bodySize: m.bodySize,
  };
}

/** Every prefix of the first 64 bytes, then 64 spread over the rest (a walk may be linear). */
function prefixLengths(size: number): number[] {
  const lengths: number[] = [];
  for (let n = 0; n < Math.min(size, 64); n++) lengths.push(n);
  for (let k = 1; k <= 64 && size > 64; k++) lengths.push(Math.floor(64 + (size - 65) * k / 64));
  return [...new Set(lengths)];
}

function checkPrefixes(codec: Codec, { side, bytes }: Sample, label: string): void {
  for (const n of prefixLengths(bytes.length)) {
    const r = codec.decode(bytes.subarray(0, n), { side });
    if (r.kind !== "need-more") {
      assert.fail(`${label}: its first ${n} bytes give ${r.kind}, not need-more`);
    }
    if (r.frameSize !== undefined) {
      assert.ok(
        r.frameSize > n && r.frameSize <= bytes.length,
        `${label}: the first ${n} bytes ask for a ${r.frameSize}-byte frame`,
      );
    }
  }
}

function checkLimit(codec: Codec, { side, bytes }: Sample, label: string): void {
  const over = codec.decode(bytes, { side, maxFrameSize: bytes.length - 1 });
  assert.notEqual(over.kind, "message", `${label}: passes a limit one byte smaller than it`);
  const at = codec.decode(bytes, { side, maxFrameSize: bytes.length });
  assert.equal(at.kind, "message", `${label}: fails a limit equal to its size`);
}

function checkEncode(codec: Codec, { side }: Sample, m: Message, label: string): void {
  const same = codec.encode(m, new Map());
  assert.ok(
    same.kind === "ok" && same.bytes === m.frame,
    `${label}: encode() without a mutation must return message.frame itself`,
  );
  const key = "x-conformance-check";
  const value = "v1 é";
  const r = codec.encode(m, new Map([[key, value]]));
  if (r.kind === "unsupported") {
    assert.ok(r.reason.length > 0, `${label}: unsupported without a reason`);
    return;
  }
  const [after, used] = expectMessage(codec.decode(r.bytes, { side }), `${label} after encode()`);
  assert.equal(used, r.bytes.length, `${label}: the encoded frame has extra bytes`);
  assert.equal(after.metadata.get(key), value, `${label}: the mutation is not readable`);
  assert.equal(after.type, m.type, `${label}: encode() changed the type`);
  assert.equal(after.requestId, m.requestId, `${label}: encode() changed the request id`);
  for (const [k, v] of m.metadata) {
    if (k !== key) assert.equal(after.metadata.get(k), v, `${label}: encode() lost "${k}"`);
  }
}

function checkRewriteId(codec: Codec, { side, bytes }: Sample, label: string): void {
  const rewrite = codec.rewriteRequestId;
  if (!rewrite) return;
  for (const id of [1n, 127n, 128n, 300n, 0x7fffffffn]) {
    // The rewrite may change the frame in place: work on a copy.
    const copy = bytes.slice();
    const [m] = expectMessage(codec.decode(copy, { side }), label);
    const original = m.requestId;
    const out = rewrite(m, id);
    if (out === undefined) {
      assert.ok(
        m.type !== "request" && m.type !== "response" && m.type !== "oneway" ||
          m.streamId !== 0,
        `${label}: rewriteRequestId refused id ${id} for a ${m.type}`,
      );
      return;
    }
    const [after, used] = expectMessage(codec.decode(out, { side }), `${label} id ${id}`);
    assert.equal(used, out.length, `${label}: the rewritten frame has extra bytes`);
    assert.equal(after.requestId, id, `${label}: rewriteRequestId(${id}) is not read back`);
    const want = summary(m) as Record<string, unknown>;
    const got = summary(after) as Record<string, unknown>;
    for (const k of ["type", "status", "metadata", "operation"]) {
      assert.deepEqual(got[k], want[k], `${label}: rewriteRequestId(${id}) changed ${k}`);
    }
    const back = rewrite(after, original);
    assert.ok(back !== undefined, `${label}: cannot rewrite id ${id} back to ${original}`);
    const [restored] = expectMessage(codec.decode(back, { side }), `${label} restored`);
    assert.equal(restored.requestId, original, `${label}: the restored id differs`);
  }
}

function checkReplies(codec: Codec, { side }: Sample, m: Message, label: string): void {
  if (m.type === "request" || m.type === "stream_init") {
    const reply = codec.errorReply(m, { type: "RouteNotFound", message: "no route: é" });
    const [r, used] = expectMessage(
      codec.decode(reply, { side: other(side) }),
      `${label} error reply`,
    );
    assert.equal(used, reply.length, `${label}: the error reply has extra bytes`);
    assert.equal(r.requestId, m.requestId, `${label}: the error reply has another request id`);
    assert.ok(
      r.type === "error" || r.status === "error",
      `${label}: the error reply decodes as ${r.type}/${r.status}`,
    );
  }
  if (m.type === "heartbeat") {
    const reply = codec.heartbeatReply(m);
    if (reply === undefined) return;
    const [r] = expectMessage(codec.decode(reply, { side: other(side) }), `${label} heartbeat`);
    assert.equal(r.type, "heartbeat", `${label}: the heartbeat reply decodes as ${r.type}`);
    assert.equal(r.requestId, m.requestId, `${label}: the heartbeat reply has another id`);
  }
}

/** Decodes `stream` fed in `reads` the way a proxy buffers a connection. */
function decodeReads(codec: Codec, reads: Uint8Array[], side: Side): unknown[] {
  const out: unknown[] = [];
  let buffered = new Uint8Array(0);
  for (const read of reads) {
    const next = new Uint8Array(buffered.length + read.length);
    next.set(buffered);
    next.set(read, buffered.length);
    buffered = next;
    for (;;) {
      const r = codec.decode(buffered, { side });
      if (r.kind === "need-more") break;
      if (r.kind === "invalid") assert.fail(`a split stream is invalid: ${r.reason}`);
      out.push(summary(r.message));
      buffered = buffered.slice(r.bytesConsumed);
    }
  }
  assert.equal(buffered.length, 0, "bytes are left over after a split stream");
  return out;
}

function checkSplitStreams(
  codec: Codec,
  samples: readonly Sample[],
  params: { numRuns: number; seed?: number },
): void {
  for (const side of ["request", "response"] as const) {
    const mine = samples.filter((s) => s.side === side);
    if (mine.length === 0) continue;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...mine), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (picked, cuts) => {
          const stream = concat(picked.map((s) => s.bytes));
          const whole = decodeReads(codec, [stream], side);
          assert.equal(whole.length, picked.length, `${codec.protocol}: a stream of frames`);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) =>
            a - b
          );
          const reads: Uint8Array[] = [];
          let from = 0;
          for (const p of [...points, stream.length]) {
            reads.push(stream.slice(from, p));
            from = p;
          }
          assert.deepEqual(decodeReads(codec, reads, side), whole, `split at ${points}`);
        },
      ),
      params,
    );
  }
}

function checkHostileBytes(
  codec: Codec,
  samples: readonly Sample[],
  params: { numRuns: number; seed?: number },
): void {
  const edit = fc.tuple(fc.nat(3), fc.nat(), fc.integer({ min: 0, max: 255 }));
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 5 }))
      .map(([s, edits]) => damage(s.bytes, edits)),
  );
  const limit = fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined });
  const side = fc.constantFrom<Side>("request", "response");
  fc.assert(
    fc.property(input, side, limit, (bytes, s, max) => {
      // Frame after frame, as a proxy does; every message moves forward, so this ends.
      let offset = 0;
      for (let i = 0; i <= bytes.length; i++) {
        const rest = bytes.subarray(offset);
        let r: DecodeResult;
        try {
          r = codec.decode(rest, { side: s, maxFrameSize: max });
        } catch (e) {
          assert.fail(`${codec.protocol}: decode() threw on ${hexOf(rest)}: ${e}`);
        }
        if (r.kind === "need-more") {
          const cap = max ?? DEFAULT_MAX_FRAME_SIZE;
          assert.ok((r.frameSize ?? 0) <= cap, `asks to buffer ${r.frameSize} > ${cap} bytes`);
          return;
        }
        if (r.kind === "invalid") {
          assert.ok(r.reason.length > 0, "an invalid result without a reason");
          assert.ok(
            Number.isInteger(r.offset) && r.offset >= 0 && r.offset <= rest.length,
            `invalid at offset ${r.offset} of ${rest.length} bytes (${r.reason})`,
          );
          return;
        }
        assert.ok(
          r.bytesConsumed > 0 && r.bytesConsumed <= rest.length,
          `consumed ${r.bytesConsumed} of ${rest.length} bytes`,
        );
        const m = r.message;
        assert.equal(m.headerSize + m.bodySize, m.frame.length, "headerSize + bodySize");
        try {
          codec.encode(m, new Map([["x-fuzz", "1"]]));
          codec.errorReply(m, { type: "Unspecified", message: "fuzz" });
          codec.heartbeatReply(m);
        } catch (e) {
          assert.fail(`${codec.protocol}: encode or a reply threw on ${hexOf(m.frame)}: ${e}`);
        }
        offset += r.bytesConsumed;
      }
      assert.fail(`${codec.protocol}: the decode loop did not stop`);
    }),
    params,
  );
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

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function hexOf(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, 64), (b) => b.toString(16).padStart(2, "0"));
  return shown.join(" ") + (bytes.length > 64 ? ` ... (${bytes.length} bytes)` : "");
}
