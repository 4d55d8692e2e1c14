import assert from "node:assert/strict";
import fc from "fast-check";
import { allocBytes, copyBytes, MAX_POOLED, SLAB_SIZE, utf8Length, writeUtf8 } from "./_bytes.ts";
import { anyString } from "./_unicode_testing.ts";

Deno.test("allocBytes() hands out zeroed frames that never overlap, across slabs", () => {
  const frames: Uint8Array[] = [];
  let total = 0;
  for (let n = 0; total < 3 * SLAB_SIZE; n = (n * 7 + 13) % 1500) {
    const frame = allocBytes(n);
    assert.equal(frame.length, n);
    assert.ok(frame.every((b) => b === 0), "a new frame is zeroed");
    frame.fill(0xa5);
    frames.push(frame);
    total += n;
  }
  // Every frame still holds only its own bytes.
  for (const frame of frames) assert.ok(frame.every((b) => b === 0xa5));
  const big = allocBytes(MAX_POOLED + 1);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, MAX_POOLED + 1);
});

Deno.test("copyBytes() copies short and long runs at any offsets", () => {
  const src = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  for (const n of [0, 1, 47, 48, 200]) {
    const dst = new Uint8Array(260);
    copyBytes(dst, 5, src, 17, 17 + n);
    assert.deepEqual(dst.subarray(5, 5 + n), src.subarray(17, 17 + n));
    assert.equal(dst[4], 0);
    assert.equal(dst[5 + n], 0);
  }
});

Deno.test("utf8Length() and writeUtf8() agree with TextEncoder, lone surrogates included", () => {
  const encoder = new TextEncoder();
  fc.assert(
    fc.property(anyString({ maxLength: 60 }), fc.nat(7), (s, at) => {
      const expected = encoder.encode(s);
      assert.equal(utf8Length(s), expected.length);
      const out = new Uint8Array(at + expected.length + 2);
      assert.equal(writeUtf8(s, out, at), at + expected.length);
      assert.deepEqual(out.subarray(at, at + expected.length), expected);
    }),
    { numRuns: 500 },
  );
  for (const s of ["\ud800", "a\udc00b", "\ud83d\ude00", "\ud83d"]) {
    assert.equal(utf8Length(s), encoder.encode(s).length, JSON.stringify(s));
  }
});
