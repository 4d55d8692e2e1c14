import assert from "node:assert/strict";
import fc from "fast-check";
import { contentHash, contentHashReference, stableStringify } from "./stable_json.ts";

Deno.test("stableStringify() sorts keys at every level and drops undefined", () => {
  assert.equal(
    stableStringify({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
  );
});

Deno.test("contentHash() equals 64-bit FNV-1a computed with BigInt", () => {
  assert.equal(contentHash(""), "cbf29ce484222325");
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (s) => contentHash(s) === contentHashReference(s)),
    { numRuns: 300 },
  );
});

Deno.test("contentHash() differs for inputs that differ in one character", () => {
  assert.notEqual(contentHash('{"weight":20}'), contentHash('{"weight":21}'));
});
