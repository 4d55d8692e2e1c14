/**
 * The local rate-limit filter (`aeraki.meta_protocol.filters.local_ratelimit`, spec §3.2):
 * token buckets shared by every connection of a listener, refilled by one timer whose
 * period is the smallest fill interval (at least 50 ms). The first condition whose match
 * matches consumes from its own bucket; no matching condition consumes from the default
 * bucket, or allows when there is none.
 *
 * @module
 */
import type {
  Counter,
  LocalRateLimitFilterModel,
  StatsSink,
  TokenBucketModel,
} from "../config/model.ts";
import { compileMatchers, matchesAll } from "../route/route_table.ts";

/** The smallest fill interval a bucket may have. */
export const MIN_FILL_INTERVAL_MS = 50;

class Bucket {
  tokens: number;
  lastFill = 0;
  constructor(readonly model: TokenBucketModel) {
    this.tokens = model.maxTokens;
  }
  take(): boolean {
    if (this.tokens <= 0) return false;
    this.tokens--;
    return true;
  }
  fill(elapsed: number): void {
    if (elapsed - this.lastFill < this.model.fillIntervalMs) return;
    this.lastFill = elapsed;
    this.tokens = Math.min(this.model.maxTokens, this.tokens + this.model.tokensPerFill);
  }
}

/** Why a local rate-limit config cannot run, or undefined. */
export function localRateLimitProblem(model: LocalRateLimitFilterModel): string | undefined {
  const buckets = [model.tokenBucket, ...model.conditions.map((c) => c.tokenBucket)];
  for (const b of buckets) {
    if (b && b.fillIntervalMs < MIN_FILL_INTERVAL_MS) {
      return "local rate limit token bucket fill timer must be >= 50ms";
    }
  }
  return undefined;
}

/** One local rate-limit filter config at run time. */
export class LocalRateLimiter {
  readonly #default: Bucket | undefined;
  readonly #conditions: { matchers: ReturnType<typeof compileMatchers>; bucket: Bucket }[];
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #ok: Counter;
  readonly #limited: Counter;

  /** Starts the fill timer; throws when a fill interval is below 50 ms. */
  constructor(model: LocalRateLimitFilterModel, stats: StatsSink) {
    const problem = localRateLimitProblem(model);
    if (problem) throw new Error(problem);
    this.#default = model.tokenBucket ? new Bucket(model.tokenBucket) : undefined;
    this.#conditions = model.conditions.map((c) => ({
      matchers: compileMatchers(c.match),
      bucket: new Bucket(c.tokenBucket),
    }));
    const all = [...this.#conditions.map((c) => c.bucket)];
    if (this.#default) all.push(this.#default);
    const prefix = `meta_protocol.${model.statPrefix}.local_rate_limit.`;
    this.#ok = stats.counter(prefix + "ok");
    this.#limited = stats.counter(prefix + "rate_limited");
    if (all.length === 0) return;
    const period = Math.min(...all.map((b) => b.model.fillIntervalMs));
    const start = performance.now();
    this.#timer = setInterval(() => {
      const elapsed = performance.now() - start;
      for (const b of all) b.fill(elapsed);
    }, period);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Whether the request with `metadata` may pass (consumes a token when it does). */
  allow(metadata: ReadonlyMap<string, string>): boolean {
    let bucket = this.#default;
    for (const c of this.#conditions) {
      if (matchesAll(c.matchers, metadata)) {
        bucket = c.bucket;
        break;
      }
    }
    const ok = bucket === undefined || bucket.take();
    (ok ? this.#ok : this.#limited).inc();
    return ok;
  }

  /** Stops the fill timer. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }
}
