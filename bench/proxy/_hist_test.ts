import assert from "node:assert/strict";
import { bucketMiddle, bucketOf, Histogram } from "./_hist.ts";

Deno.test("bucketOf() puts each bucket's middle back in that bucket, buckets in order", () => {
  for (let i = 0; i < 1900; i++) {
    assert.equal(bucketOf(bucketMiddle(i)), i);
    assert.ok(bucketMiddle(i + 1) > bucketMiddle(i));
  }
});

Deno.test("Histogram.quantile() is within the buckets' 3.2% of the exact quantile", () => {
  const h = new Histogram();
  const samples: number[] = [];
  for (let i = 1; i <= 100_000; i++) {
    const v = Math.round(1000 * 1.0001 ** i); // 1 µs .. ~22 ms, log-spread
    samples.push(v);
    h.record(v);
  }
  for (const q of [0.5, 0.99, 0.999]) {
    const exact = samples[Math.round(q * samples.length) - 1];
    assert.ok(
      Math.abs(h.quantile(q) - exact) / exact < 0.032,
      `q ${q}: ${h.quantile(q)} vs ${exact}`,
    );
  }
  assert.equal(h.quantile(1), samples.at(-1));
});
