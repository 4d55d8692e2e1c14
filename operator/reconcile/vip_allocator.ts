/**
 * The ServiceEntry VIP allocator (control-plane spec §6): ServiceEntries without `addresses`
 * get the next free address of `240.240.0.0/16`, in upstream's order, so a mesh moved from
 * upstream Aeraki sees the same VIPs. Pure: the controller feeds it every ServiceEntry it
 * sees (all of them at start-up, then each change) and writes back the addresses it picks.
 *
 * Upstream's sequence: a counter n gives `240.240.<n / 255>.<n % 255>`, skipping n % 255 = 0
 * (so the last octet runs 1..254) and wrapping at 255 × 255. Two upstream defects are fixed:
 * after a wrap upstream hands out `240.240.0.0`, and with every address taken it loops
 * forever; here a wrap skips `.0` too and a full range is reported.
 *
 * @module
 */

/** The range VIPs are taken from. */
export const VIP_RANGE = "240.240.0.0/16";

const SPAN = 255 * 255;

/** The address the counter value `n` stands for (upstream's `getNextIP` arithmetic). */
export function vipAt(n: number): string {
  return `240.240.${Math.floor(n / 255)}.${n % 255}`;
}

/** The ServiceEntry fields the allocator reads. */
export interface VipInput {
  /** `namespace/name` of the ServiceEntry. */
  readonly key: string;
  /** `spec.resolution`; `NONE` entries never get a VIP. */
  readonly resolution?: string;
  /** `spec.addresses`. */
  readonly addresses?: readonly string[];
}

/** What to do with one ServiceEntry. */
export type VipDecision =
  | { readonly action: "keep" }
  | { readonly action: "assign"; readonly address: string }
  | { readonly action: "exhausted" };

/**
 * Hands out VIPs and remembers which ServiceEntry holds each one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VipAllocator } from "./vip_allocator.ts";
 * const vips = new VipAllocator();
 * assert.deepEqual(vips.decide({ key: "demo/a" }), { action: "assign", address: "240.240.0.1" });
 * assert.deepEqual(vips.decide({ key: "demo/b" }), { action: "assign", address: "240.240.0.2" });
 * ```
 */
export class VipAllocator {
  #counter: number;
  readonly #owners = new Map<string, string>();
  readonly #byKey = new Map<string, string>();

  /** Starts the counter at `start` (upstream starts at 0, whose first VIP is `.0.1`). */
  constructor(start = 0) {
    this.#counter = start;
  }

  /**
   * Decides for one ServiceEntry: `keep` its addresses (none needed, not ours, or ours and
   * unique), or `assign` a new VIP (none yet, or its `240.240` address is held by another
   * entry), or `exhausted` when every VIP is held. An assigned VIP counts as held at once.
   */
  decide(se: VipInput): VipDecision {
    if (se.resolution === "NONE") return { action: "keep" };
    const first = se.addresses?.[0];
    if (first !== undefined && !first.startsWith("240.240")) return { action: "keep" };
    if (first !== undefined) {
      const owner = this.#owners.get(first);
      if (owner === undefined || owner === se.key) {
        this.#hold(se.key, first);
        return { action: "keep" };
      }
    }
    const address = this.#next();
    if (address === undefined) return { action: "exhausted" };
    this.#hold(se.key, address);
    return { action: "assign", address };
  }

  /** Frees the VIP of a deleted ServiceEntry (upstream only reuses it after a wrap). */
  release(key: string): void {
    const address = this.#byKey.get(key);
    if (address === undefined) return;
    this.#byKey.delete(key);
    if (this.#owners.get(address) === key) this.#owners.delete(address);
  }

  /** The ServiceEntry holding `address`, if any. */
  ownerOf(address: string): string | undefined {
    return this.#owners.get(address);
  }

  #hold(key: string, address: string): void {
    const previous = this.#byKey.get(key);
    if (previous !== undefined && previous !== address && this.#owners.get(previous) === key) {
      this.#owners.delete(previous);
    }
    this.#byKey.set(key, address);
    this.#owners.set(address, key);
  }

  #next(): string | undefined {
    for (let tries = 0; tries < SPAN; tries++) {
      if (this.#counter >= SPAN) this.#counter = 0;
      if (this.#counter % 255 === 0) this.#counter++;
      const address = vipAt(this.#counter++);
      if (!this.#owners.has(address)) return address;
    }
    return undefined;
  }
}
