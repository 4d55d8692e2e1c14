/**
 * Cluster load balancers: ROUND_ROBIN (smooth weighted), LEAST_REQUEST (power of two
 * choices), RANDOM, RING_HASH and MAGLEV (consistent: the same hash key picks the same
 * endpoint, and few keys move when an endpoint joins or leaves). A balancer is built over
 * the endpoints that may receive traffic; the cluster rebuilds it when that set changes.
 *
 * @module
 */
import type { LbPolicy } from "../config/model.ts";
import { xxh64 } from "../route/xxh64.ts";

/** What a balancer needs of an endpoint. */
export interface LbHost {
  readonly key: string;
  readonly weight: number;
  readonly activeRequests: number;
}

/** Picks an endpoint; `hash` is the route's hash-policy key, `random` a fresh random u32. */
export interface LoadBalancer<H extends LbHost> {
  pick(hash: bigint | undefined, random: number): H | undefined;
}

const encoder = new TextEncoder();

class RoundRobin<H extends LbHost> implements LoadBalancer<H> {
  readonly #hosts: readonly H[];
  readonly #current: number[];
  readonly #total: number;
  #next = 0;
  readonly #equal: boolean;
  constructor(hosts: readonly H[]) {
    this.#hosts = hosts;
    this.#current = hosts.map(() => 0);
    this.#total = hosts.reduce((s, h) => s + h.weight, 0);
    this.#equal = hosts.every((h) => h.weight === hosts[0]?.weight);
  }
  pick(): H | undefined {
    const hosts = this.#hosts;
    if (hosts.length === 0) return undefined;
    if (this.#equal) return hosts[this.#next++ % hosts.length];
    let best = 0;
    for (let i = 0; i < hosts.length; i++) {
      this.#current[i] += hosts[i].weight;
      if (this.#current[i] > this.#current[best]) best = i;
    }
    this.#current[best] -= this.#total;
    return hosts[best];
  }
}

class LeastRequest<H extends LbHost> implements LoadBalancer<H> {
  constructor(readonly hosts: readonly H[]) {}
  pick(_hash: bigint | undefined, random: number): H | undefined {
    const n = this.hosts.length;
    if (n <= 1) return this.hosts[0];
    const a = this.hosts[random % n];
    const b = this.hosts[(random >>> 16) % n];
    return b.activeRequests < a.activeRequests ? b : a;
  }
}

class Random<H extends LbHost> implements LoadBalancer<H> {
  constructor(readonly hosts: readonly H[]) {}
  pick(_hash: bigint | undefined, random: number): H | undefined {
    return this.hosts.length === 0 ? undefined : this.hosts[random % this.hosts.length];
  }
}

/** Ketama-style ring: each host owns points proportional to its weight. */
class RingHash<H extends LbHost> implements LoadBalancer<H> {
  readonly #points: bigint[] = [];
  readonly #owners: H[] = [];
  readonly #fallback: RoundRobin<H>;
  constructor(hosts: readonly H[], minSize: number, maxSize: number) {
    this.#fallback = new RoundRobin(hosts);
    const total = hosts.reduce((s, h) => s + h.weight, 0);
    if (total === 0) return;
    const size = Math.min(Math.max(minSize, hosts.length), maxSize);
    const entries: [bigint, H][] = [];
    for (const h of hosts) {
      const count = Math.max(1, Math.round(size * h.weight / total));
      for (let i = 0; i < count; i++) {
        entries.push([xxh64(encoder.encode(`${h.key}_${i}`), 0n), h]);
      }
    }
    entries.sort((x, y) => x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
    for (const [p, h] of entries) {
      this.#points.push(p);
      this.#owners.push(h);
    }
  }
  pick(hash: bigint | undefined, random: number): H | undefined {
    if (hash === undefined) return this.#fallback.pick();
    const pts = this.#points;
    if (pts.length === 0) return undefined;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    void random;
    return this.#owners[lo === pts.length ? 0 : lo];
  }
}

/** Maglev lookup table (Eisenbud et al.), weights by proportional turns. */
class Maglev<H extends LbHost> implements LoadBalancer<H> {
  readonly #table: (H | undefined)[];
  readonly #size: number;
  readonly #fallback: RoundRobin<H>;
  constructor(hosts: readonly H[], size: number) {
    this.#fallback = new RoundRobin(hosts);
    this.#size = size;
    this.#table = new Array(size);
    if (hosts.length === 0) return;
    const offset = hosts.map((h) => Number(xxh64(encoder.encode(h.key), 0n) % BigInt(size)));
    const skip = hosts.map((h) => Number(xxh64(encoder.encode(h.key), 1n) % BigInt(size - 1)) + 1);
    const next = hosts.map(() => 0);
    const maxWeight = Math.max(...hosts.map((h) => h.weight));
    const credit = hosts.map(() => 0);
    let filled = 0;
    while (filled < size) {
      for (let i = 0; i < hosts.length && filled < size; i++) {
        credit[i] += hosts[i].weight;
        if (credit[i] < maxWeight) continue;
        credit[i] -= maxWeight;
        let c = (offset[i] + next[i] * skip[i]) % size;
        while (this.#table[c] !== undefined) {
          next[i]++;
          c = (offset[i] + next[i] * skip[i]) % size;
        }
        this.#table[c] = hosts[i];
        next[i]++;
        filled++;
      }
    }
  }
  pick(hash: bigint | undefined): H | undefined {
    if (hash === undefined) return this.#fallback.pick();
    return this.#table[Number(hash % BigInt(this.#size))];
  }
}

/** Options of {@link buildLoadBalancer}. */
export interface LoadBalancerOptions {
  readonly minimumRingSize?: number;
  readonly maximumRingSize?: number;
  readonly maglevTableSize?: number;
}

/**
 * A balancer of `policy` over `hosts` (only endpoints that may receive traffic).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLoadBalancer } from "./load_balancer.ts";
 * const hosts = ["a", "b", "c"].map((key) => ({ key, weight: 1, activeRequests: 0 }));
 * const lb = buildLoadBalancer("MAGLEV", hosts);
 * assert.equal(lb.pick(42n, 0), lb.pick(42n, 7));
 * ```
 */
export function buildLoadBalancer<H extends LbHost>(
  policy: LbPolicy,
  hosts: readonly H[],
  options: LoadBalancerOptions = {},
): LoadBalancer<H> {
  switch (policy) {
    case "ROUND_ROBIN":
      return new RoundRobin(hosts);
    case "LEAST_REQUEST":
      return new LeastRequest(hosts);
    case "RANDOM":
      return new Random(hosts);
    case "RING_HASH":
      return new RingHash(
        hosts,
        options.minimumRingSize ?? 1024,
        options.maximumRingSize ?? 8 * 1024 * 1024,
      );
    case "MAGLEV":
      return new Maglev(hosts, options.maglevTableSize ?? 65537);
  }
}
