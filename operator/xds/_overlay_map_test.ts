import assert from "node:assert/strict";
import fc from "fast-check";
import { OverlayMap } from "./_overlay_map.ts";

const opsArb = fc.array(
  fc.record({
    deleted: fc.array(fc.nat(400), { maxLength: 8 }),
    set: fc.array(fc.tuple(fc.nat(400), fc.nat()), { maxLength: 40 }),
  }),
  { maxLength: 30 },
);

Deno.test("OverlayMap.with() behaves like copying a Map and editing it, across compactions", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(400), fc.nat()), { maxLength: 300 }),
      opsArb,
      (init, ops) => {
        let reference = new Map(init);
        let map = OverlayMap.of(new Map(init));
        const history: [OverlayMap<number, number>, Map<number, number>][] = [];
        for (const op of ops) {
          const next = new Map(reference);
          for (const k of op.deleted) next.delete(k);
          for (const [k, v] of op.set) next.set(k, v);
          map = map.with(op);
          reference = next;
          history.push([map, reference]);
        }
        // Every version still reads as it did: later edits never leak into earlier maps.
        for (const [m, ref] of history) {
          assert.equal(m.size, ref.size);
          assert.deepEqual(new Map(m), ref);
          for (const k of [0, 1, 2, 399]) {
            assert.equal(m.get(k), ref.get(k));
            assert.equal(m.has(k), ref.has(k));
          }
          assert.deepEqual([...m.keys()].sort(), [...ref.keys()].sort());
        }
      },
    ),
    { numRuns: 100 },
  );
});
