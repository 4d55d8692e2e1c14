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

Deno.test("WriteQueue copies a frame at push: the caller may reuse its bytes at once", async () => {
  const writes: number[][] = [];
  const q = new WriteQueue({
    write: (b) => {
      writes.push([...b]);
      return Promise.resolve(b.length);
    },
  }, () => assert.fail("no error expected"));
  const frame = Uint8Array.of(1, 2, 3);
  q.push(frame);
  frame.fill(9);
  q.push(frame);
  await q.flushed();
  assert.deepEqual(writes, [[1, 2, 3, 9, 9, 9]]);
});

Deno.test("WriteQueue fills one buffer while the other is written", async () => {
  const writes: number[][] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => release = r);
  const q = new WriteQueue({
    write: async (b) => {
      const copy = [...b];
      await gate;
      writes.push(copy);
      return b.length;
    },
  }, () => assert.fail("no error expected"));
  q.push(Uint8Array.of(1));
  await Promise.resolve();
  q.push(Uint8Array.of(2));
  q.push(new Uint8Array(70_000).fill(3));
  q.push(Uint8Array.of(4));
  assert.equal(q.queued, 70_003);
  const first = release;
  gate = Promise.resolve();
  first();
  await q.flushed();
  assert.equal(writes.length, 2);
  assert.deepEqual(writes[0], [1]);
  assert.equal(writes[1].length, 70_002);
  assert.deepEqual([writes[1][0], writes[1][1], writes[1].at(-1)], [2, 3, 4]);
  assert.equal(q.queued, 0);
});

Deno.test("WriteQueue keeps a large buffer for large batches and drops it after a small one", async () => {
  const seen: ArrayBufferLike[] = [];
  const q = new WriteQueue({
    write: (b) => {
      seen.push(b.buffer);
      return Promise.resolve(b.length);
    },
  }, () => assert.fail("no error expected"));
  const batch = async (size: number) => {
    q.push(new Uint8Array(size));
    await q.flushed();
  };
  // A batch of 100 kB fills a 128 kB buffer more than a quarter: it is kept and reused.
  for (let i = 0; i < 6; i++) await batch(100_000);
  assert.equal(new Set(seen).size, 1, "one large buffer serves every batch");
  await batch(100);
  await batch(100);
  await batch(100);
  const small = seen.slice(-2);
  assert.ok(small.every((b) => b.byteLength <= 64 * 1024), "small buffers again");
});
