/**
 * A log-linear latency histogram in the HDR style, the same buckets as the Go peer's
 * (`peer/hist.go`): exact below 64 ns, then 32 linear sub-buckets per power of two (relative
 * error under 3.2%). Recording allocates nothing.
 *
 * @module
 */

const BUCKETS = 1920;

/** A histogram of nanosecond samples. */
export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;
  sum = 0;
  max = 0;

  /** Records one sample in ns (non-negative). */
  record(ns: number): void {
    const v = ns < 0 ? 0 : Math.floor(ns);
    this.counts[bucketOf(v)]++;
    this.total++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The sample at quantile `q` (0..1), in ns: its bucket's middle, capped at the maximum. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.round(q * this.total));
    if (rank >= this.total) return this.max;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(bucketMiddle(i), this.max);
    }
    return this.max;
  }
}

/** The bucket of `v` ns. */
export function bucketOf(v: number): number {
  if (v < 64) return v;
  const log2 = v < 2 ** 32 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v));
  const e = log2 - 5;
  return e * 32 + Math.floor(v / 2 ** e);
}

/** The middle of bucket `i`, in ns. */
export function bucketMiddle(i: number): number {
  if (i < 64) return i;
  const e = Math.floor(i / 32) - 1;
  return (i % 32 + 32) * 2 ** e + 2 ** e / 2;
}
