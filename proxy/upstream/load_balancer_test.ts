import assert from "node:assert/strict";
import { buildLoadBalancer, type LbHost } from "./load_balancer.ts";

const hosts = (n: number, weight = 1): LbHost[] =>
  Array.from({ length: n }, (_, i) => ({ key: `10.0.0.${i}:80`, weight, activeRequests: 0 }));

for (const policy of ["RING_HASH", "MAGLEV"] as const) {
  Deno.test(`buildLoadBalancer(${policy}) keeps keys on their endpoint; few move when one leaves`, () => {
    const before = buildLoadBalancer(policy, hosts(5));
    const after = buildLoadBalancer(policy, hosts(5).slice(0, 4));
    let moved = 0;
    const used = new Set<string>();
    for (let k = 0n; k < 2000n; k++) {
      const hash = k * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn;
      const a = before.pick(hash, 0)!;
      assert.equal(before.pick(hash, 99)!.key, a.key, "the same key, the same endpoint");
      used.add(a.key);
      const b = after.pick(hash, 0)!;
      if (a.key !== "10.0.0.4:80" && a.key !== b.key) moved++;
    }
    assert.equal(used.size, 5, "every endpoint gets keys");
    // Only keys of the removed endpoint must move; allow a little slack for maglev.
    assert.ok(moved < 2000 * 0.1, `${moved} of the kept endpoints' keys moved`);
  });
}

Deno.test("buildLoadBalancer(ROUND_ROBIN) follows the weights", () => {
  const hs = [{ key: "a", weight: 3, activeRequests: 0 }, {
    key: "b",
    weight: 1,
    activeRequests: 0,
  }];
  const lb = buildLoadBalancer("ROUND_ROBIN", hs);
  const picks = Array.from({ length: 8 }, () => lb.pick(undefined, 0)!.key);
  assert.equal(picks.filter((k) => k === "a").length, 6);
});

Deno.test("buildLoadBalancer(LEAST_REQUEST) prefers the less busy of two choices", () => {
  const hs = [{ key: "busy", weight: 1, activeRequests: 9 }, {
    key: "idle",
    weight: 1,
    activeRequests: 0,
  }];
  const lb = buildLoadBalancer("LEAST_REQUEST", hs);
  // random 0 → first choice 0 (busy), second choice (0 >>> 16) % 2 = 0; random 65536 → 0 and 1.
  assert.equal(lb.pick(undefined, 65536)!.key, "idle");
});

Deno.test("buildLoadBalancer() over no endpoints picks none", () => {
  for (const p of ["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "RING_HASH", "MAGLEV"] as const) {
    assert.equal(buildLoadBalancer(p, []).pick(1n, 1), undefined, p);
  }
});
