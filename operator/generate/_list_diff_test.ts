import assert from "node:assert/strict";
import fc from "fast-check";
import { diffLists } from "./_list_diff.ts";

Deno.test("diffLists() finds what lies between the common prefix and suffix", () => {
  const objects = Array.from({ length: 12 }, (_, i) => ({ i }));
  const listArb = fc.array(fc.nat(11), { maxLength: 12 }).map((l) => l.map((i) => objects[i]));
  fc.assert(fc.property(listArb, listArb, fc.nat(12), (prev, next, max) => {
    const diff = diffLists(prev, next, max);
    if (!diff) {
      assert.ok(prev.length > max || next.length > max);
      return;
    }
    assert.ok(diff.removed.length <= max && diff.added.length <= max);
    const start = prev.findIndex((x, i) => x !== next[i]);
    const head = start < 0 ? Math.min(prev.length, next.length) : start;
    // Rebuild both lists from the shared head and tail and the diff.
    const tail = prev.length - head - diff.removed.length;
    assert.deepEqual(
      [...prev.slice(0, head), ...diff.removed, ...prev.slice(prev.length - tail)],
      prev,
    );
    assert.deepEqual(
      [...next.slice(0, head), ...diff.added, ...next.slice(next.length - tail)],
      next,
    );
    assert.ok(prev.slice(prev.length - tail).every((x, i) => x === next[next.length - tail + i]));
  }));
});
