/** Property tests (fast-check) of the Dubbo codec, with hessian.js writing the bodies. */
import fc from "fast-check";
import assert from "node:assert/strict";
import type { DecodeResult } from "../codec.ts";
import { hessianValue } from "./_arbitraries.ts";
import { concat, dubboFrame, hessianBody, requestFrame } from "./_testing.ts";
import { dubboCodec } from "./mod.ts";
import { anyString } from "../_unicode_testing.ts";

const RUNS = { numRuns: 200 };

const key = fc.stringMatching(/^[a-z][a-z0-9.-]{0,11}$/);
const text = fc.oneof(
  anyString({ maxLength: 40 }),
  anyString({ minLength: 32, maxLength: 1100 }),
);
const attachmentsArb = fc.dictionary(key, text, { maxKeys: 6 });
const mutationArb = fc.dictionary(key, text, { minKeys: 1, maxKeys: 4 });

/** Values hessian.js can write, nested: the arguments a walker must step over. */
const value = hessianValue({
  text,
  key,
  field: key,
  classes: ["com.a.A", "com.a.B"],
  maxBinary: 40,
});

function metadataOf(result: DecodeResult): Record<string, string> {
  if (result.kind !== "message") assert.fail(JSON.stringify(result));
  return Object.fromEntries(result.message.metadata);
}

Deno.test("dubboCodec.decode() finds the attachments after any arguments", () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 4 }), attachmentsArb, (args, attachments) => {
      const types = "Ljava/lang/Object;".repeat(args.length);
      const frame = requestFrame({ types, args, attachments, version: "2" });
      const expected = { interface: "com.example.Greeter", method: "sayHello", version: "2" };
      assert.deepEqual(metadataOf(dubboCodec.decode(frame)), { ...expected, ...attachments });
    }),
    RUNS,
  );
});

Deno.test("dubboCodec.decode(encode()) round-trips the metadata with the mutation applied", () => {
  fc.assert(
    fc.property(
      fc.array(value, { maxLength: 3 }),
      attachmentsArb,
      mutationArb,
      (args, attachments, mutation) => {
        const types = "Ljava/lang/Object;".repeat(args.length);
        const frame = requestFrame({ types, args, attachments });
        const decoded = dubboCodec.decode(frame);
        const before = metadataOf(decoded);
        if (decoded.kind !== "message") return;
        const encoded = dubboCodec.encode(decoded.message, new Map(Object.entries(mutation)));
        assert.equal(encoded.kind, "ok");
        if (encoded.kind !== "ok") return;
        assert.deepEqual(metadataOf(dubboCodec.decode(encoded.bytes)), { ...before, ...mutation });
      },
    ),
    RUNS,
  );
});

/** A stream of frames of every kind. */
const frameArb = fc.oneof(
  fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), attachmentsArb).map(([id, attachments]) =>
    requestFrame({ attachments }, id)
  ),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((id) =>
    dubboFrame(0xe2, 0, id, new Uint8Array([0x4e]))
  ),
  fc.tuple(fc.integer({ min: 0, max: 5 }), value, attachmentsArb).map(([type, v, att]) => {
    const values = type % 3 === 2 ? [type] : [type, v];
    return dubboFrame(0x02, 20, 1n, hessianBody(...values, ...(type >= 3 ? [att] : [])));
  }),
  fc.tuple(fc.constantFrom(30, 31, 40, 50, 60, 70, 80, 90, 100), text).map(([status, t]) =>
    dubboFrame(0x02, status, 2n, hessianBody(t))
  ),
);

function drain(stream: Uint8Array, cuts: number[]): string[] {
  const out: string[] = [];
  let start = 0;
  for (const end of [...cuts.sort((a, b) => a - b), stream.length]) {
    for (;;) {
      const result = dubboCodec.decode(stream.subarray(start, end));
      if (result.kind === "need-more") break;
      if (result.kind === "invalid") assert.fail(result.reason);
      const m = result.message;
      out.push(JSON.stringify([m.type, `${m.requestId}`, m.status, [...m.metadata], m.frame]));
      start += result.bytesConsumed;
    }
  }
  assert.equal(start, stream.length, "every byte consumed");
  return out;
}

Deno.test("dubboCodec.decode() yields the same messages however the stream is split", () => {
  fc.assert(
    fc.property(
      fc.array(frameArb, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (frames, rawCuts) => {
        const stream = concat(...frames);
        const cuts = rawCuts.map((c) => c % (stream.length + 1));
        assert.deepEqual(drain(stream, cuts), drain(stream, []));
        assert.equal(drain(stream, []).length, frames.length);
      },
    ),
    RUNS,
  );
});

function checkNeverThrows(input: Uint8Array, maxFrameSize: number) {
  const result = dubboCodec.decode(input, { maxFrameSize });
  if (result.kind === "need-more") {
    assert.ok((result.frameSize ?? 0) <= maxFrameSize, "never asks past the frame limit");
    assert.ok(result.frameSize === undefined || result.frameSize > input.length);
  } else if (result.kind === "invalid") {
    assert.ok(result.offset >= 0 && result.offset <= input.length, `offset ${result.offset}`);
    assert.match(result.reason, /^Cannot decode Dubbo /);
  } else {
    assert.ok(result.bytesConsumed <= input.length && result.bytesConsumed >= 16);
    dubboCodec.encode(result.message, new Map([["k", "v"]]));
    dubboCodec.errorReply(result.message, { type: "Unspecified", message: "x" });
    dubboCodec.heartbeatReply(result.message);
  }
}

Deno.test("dubboCodec.decode() never throws on random bytes", () => {
  const header = fc.constantFrom([], [0xda], [0xda, 0xbb], [0xda, 0xbb, 0xc2, 0]);
  fc.assert(
    fc.property(header, fc.uint8Array({ maxLength: 300 }), fc.nat(400), (head, rest, limit) => {
      checkNeverThrows(concat(new Uint8Array(head), rest), limit + 16);
    }),
    { numRuns: 500 },
  );
});

Deno.test("dubboCodec.decode() never throws on mutated valid frames", () => {
  fc.assert(
    fc.property(
      frameArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.boolean(),
      (frame, flips, fixLength) => {
        const bytes = frame.slice();
        for (const [at, b] of flips) bytes[16 + (at % Math.max(1, bytes.length - 16))] = b;
        // Keep the header valid half of the time so the body walker sees the damage.
        if (fixLength) new DataView(bytes.buffer).setInt32(12, bytes.length - 16);
        checkNeverThrows(bytes, 1 << 20);
        checkNeverThrows(bytes.subarray(0, bytes.length - 1), 1 << 20);
      },
    ),
    { numRuns: 500 },
  );
});
