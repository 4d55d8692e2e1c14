import assert from "node:assert/strict";
import fc from "fast-check";
import { countNonAscii, equalBytes, nonAsciiFrom, wordView } from "./_utf8.ts";

const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 300);

/** Bytes placed at every alignment of a larger buffer, as frames inside read buffers are. */
const placed = fc.record({
  bytes: fc.uint8Array({ maxLength: 80 }),
  offset: fc.integer({ min: 0, max: 7 }),
  tail: fc.integer({ min: 0, max: 5 }),
}).map(({ bytes, offset, tail }) => {
  const buffer = new ArrayBuffer(offset + bytes.length + tail);
  const view = new Uint8Array(buffer, offset, bytes.length);
  view.set(bytes);
  return view;
});

Deno.test("nonAsciiFrom() finds the first byte >= 0x80 at any alignment and range", () => {
  fc.assert(
    fc.property(placed, fc.nat(), fc.nat(), (b, x, y) => {
      const end = b.length === 0 ? 0 : y % (b.length + 1);
      const i = end === 0 ? 0 : x % (end + 1);
      let expected = i;
      while (expected < end && b[expected] < 0x80) expected++;
      assert.equal(nonAsciiFrom(b, wordView(b), b.byteOffset & 3, i, end), expected);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("nonAsciiFrom() on ASCII runs with a single high byte anywhere", () => {
  for (let offset = 0; offset < 4; offset++) {
    for (let n = 0; n < 40; n++) {
      for (let at = -1; at < n; at++) {
        const b = new Uint8Array(new ArrayBuffer(offset + n + 3), offset, n).fill(0x61);
        if (at >= 0) b[at] = 0x80 + at;
        const w = wordView(b);
        for (let i = 0; i <= n; i++) {
          const expected = at >= i ? at : n;
          assert.equal(nonAsciiFrom(b, w, offset, i, n), expected, `offset ${offset} n ${n}`);
        }
      }
    }
  }
});

Deno.test("equalBytes() agrees with a byte comparison at every relative alignment", () => {
  fc.assert(
    fc.property(placed, placed, fc.nat(), fc.nat(), fc.nat(), fc.nat(), (a, b, x, y, z, pick) => {
      // Within one array (pick even) or across two; equal runs are made half of the time.
      const other = pick % 2 === 0 ? a : b;
      if (a.length === 0 || other.length === 0) return;
      const n = z % (Math.min(a.length, other.length) + 1);
      const aAt = x % (a.length - n + 1);
      const bAt = y % (other.length - n + 1);
      if (pick % 4 < 2) other.set(a.slice(aAt, aAt + n), bAt);
      let expected = true;
      for (let i = 0; i < n; i++) if (a[aAt + i] !== other[bAt + i]) expected = false;
      const got = equalBytes(
        a,
        wordView(a),
        a.byteOffset & 3,
        aAt,
        other,
        wordView(other),
        other.byteOffset & 3,
        bAt,
        n,
      );
      assert.equal(got, expected);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("countNonAscii() counts the bytes >= 0x80 of any range at any alignment", () => {
  fc.assert(
    fc.property(placed, fc.nat(), fc.nat(), (b, x, y) => {
      const to = b.length === 0 ? 0 : y % (b.length + 1);
      const from = to === 0 ? 0 : x % (to + 1);
      let expected = 0;
      for (let i = from; i < to; i++) if (b[i] >= 0x80) expected++;
      assert.equal(countNonAscii(b, wordView(b), b.byteOffset & 3, from, to), expected);
    }),
    { numRuns: RUNS },
  );
});
