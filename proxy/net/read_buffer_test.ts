import assert from "node:assert/strict";
import { ReadBuffer } from "./read_buffer.ts";

Deno.test("ReadBuffer never writes over bytes a consumed frame's view still holds", () => {
  const rb = new ReadBuffer(64);
  const views: Uint8Array[] = [];
  for (let round = 0; round < 50; round++) {
    const space = rb.space(0);
    const n = Math.min(space.length, 10);
    space.fill(round, 0, n);
    rb.filled(n);
    views.push(rb.pending.subarray(0, n));
    rb.consume(n);
  }
  views.forEach((v, round) =>
    assert.ok(v.every((b) => b === round), `round ${round} was overwritten`)
  );
});

Deno.test("ReadBuffer keeps a partial frame and grows for a large announced frame", () => {
  const rb = new ReadBuffer(16);
  rb.space(0).set([1, 2, 3]);
  rb.filled(3);
  rb.consume(1);
  const space = rb.space(10_000);
  assert.ok(space.length >= 10_000 - 2);
  assert.deepEqual([...rb.pending], [2, 3]);
});
