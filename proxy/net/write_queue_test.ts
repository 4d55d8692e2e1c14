import assert from "node:assert/strict";
import { HIGH_WATERMARK, WriteQueue } from "./write_queue.ts";

Deno.test("WriteQueue coalesces frames queued in one turn into one write", async () => {
  const writes: number[][] = [];
  const q = new WriteQueue({
    write: (b) => {
      writes.push([...b]);
      return Promise.resolve(b.length);
    },
  }, () => assert.fail("no error expected"));
  q.push(Uint8Array.of(1, 2));
  q.push(Uint8Array.of(3));
  q.push(Uint8Array.of(4, 5));
  await q.flushed();
  assert.deepEqual(writes, [[1, 2, 3, 4, 5]]);
});

Deno.test("WriteQueue finishes partial writes and reports the high watermark", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => release = r);
  let written = 0;
  const q = new WriteQueue({
    write: async (b) => {
      await gate;
      const n = Math.min(b.length, 1000);
      written += n;
      return n;
    },
  }, () => {});
  q.push(new Uint8Array(HIGH_WATERMARK + 1));
  assert.equal(q.high, true);
  release();
  await q.flushed();
  assert.equal(written, HIGH_WATERMARK + 1);
  assert.equal(q.high, false);
});

Deno.test("WriteQueue reports a failed write once and drops the rest", async () => {
  const errors: unknown[] = [];
  const q = new WriteQueue(
    { write: () => Promise.reject(new Error("reset")) },
    (e) => errors.push(e),
  );
  q.push(Uint8Array.of(1));
  await q.flushed();
  q.push(Uint8Array.of(2));
  await q.flushed();
  assert.equal(errors.length, 1);
  assert.equal(q.queued, 0);
});
