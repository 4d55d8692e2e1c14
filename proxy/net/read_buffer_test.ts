import assert from "node:assert/strict";
import { ReadBuffer, release } from "./read_buffer.ts";

Deno.test("ReadBuffer never writes over bytes a held frame's view still shows", () => {
  const rb = new ReadBuffer(64);
  const views: Uint8Array[] = [];
  for (let round = 0; round < 50; round++) {
    const space = rb.space(0);
    const n = Math.min(space.length, 10);
    space.fill(round, 0, n);
    rb.filled(n);
    views.push(rb.pending.subarray(0, n));
    rb.hold();
    rb.consume(n);
  }
  views.forEach((v, round) =>
    assert.ok(v.every((b) => b === round), `round ${round} was overwritten`)
  );
});

Deno.test("ReadBuffer reuses its chunk once no hold is left", () => {
  const rb = new ReadBuffer(8 * 1024);
  const first = rb.space(0);
  const held = rb.hold();
  const buffers = new Set<ArrayBufferLike>();
  for (let round = 0; round < 20; round++) {
    const space = rb.space(0);
    buffers.add(space.buffer);
    rb.filled(space.length);
    rb.consume(space.length);
  }
  // Held: the first chunk was left for a fresh one, then that one was compacted in place.
  assert.ok(buffers.size <= 2, `${buffers.size} chunks`);
  assert.notEqual(rb.space(0).buffer, first.buffer);
  release(held);
  rb.filled(rb.space(0).length);
  rb.consume(rb.size);
  rb.filled(rb.space(0).length);
  rb.consume(rb.size);
  // The released chunk is the spare and takes over again rather than a new one.
  const seen = new Set<ArrayBufferLike>();
  for (let round = 0; round < 10; round++) {
    const space = rb.space(0);
    seen.add(space.buffer);
    rb.filled(space.length);
    rb.consume(space.length);
  }
  assert.equal(seen.size, 1);
});

Deno.test("ReadBuffer keeps a partial frame across a compaction", () => {
  const rb = new ReadBuffer(8 * 1024);
  const space = rb.space(0);
  space.fill(7);
  space.set([1, 2, 3], space.length - 3);
  rb.filled(space.length);
  rb.consume(space.length - 3);
  const next = rb.space(0);
  assert.equal(next.buffer, space.buffer, "compacted in place");
  assert.deepEqual([...rb.pending], [1, 2, 3]);
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
