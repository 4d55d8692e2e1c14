import assert from "node:assert/strict";
import fc from "fast-check";
import type { DubboAuthorizationPolicy } from "../../../api/mod.ts";
import type { ProtocolGenerator } from "../context.ts";
import type { MeshSnapshot } from "../snapshot.ts";
import { contextOf, redisDestination, redisService, serviceEntry } from "./_helpers_test.ts";
import { dubboGenerator, redisGenerator, thriftGenerator } from "./mod.ts";

const NS = "mesh";
const HOST = "svc.mesh.svc.cluster.local";
const se = serviceEntry("svc", NS, {
  hosts: [HOST],
  addresses: ["10.0.0.2", "10.0.0.1"],
  ports: [{ number: 6379, name: "tcp-redis" }, { number: 20880, name: "tcp-dubbo" }],
  workloadSelector: { labels: { app: "svc" } },
}, { interface: "a.b.Svc" });
const other = serviceEntry("other", NS, {
  hosts: ["other.mesh.svc.cluster.local"],
  ports: [{ number: 7000, name: "tcp-redis" }],
});

function policy(name: string, action: "ALLOW" | "DENY", method: string): DubboAuthorizationPolicy {
  return {
    apiVersion: "dubbo.aeraki.io/v1alpha1",
    kind: "DubboAuthorizationPolicy",
    metadata: { name, namespace: NS },
    spec: { action, rules: [{ to: [{ operation: { methods: [method] } }] }] },
  } as DubboAuthorizationPolicy;
}

// Several objects of each kind that compete for the same service.
const snapshot: Partial<MeshSnapshot> = {
  serviceEntries: [se, other],
  dubboAuthorizationPolicies: [
    policy("p3", "ALLOW", "c"),
    policy("p1", "DENY", "a"),
    policy("p2", "ALLOW", "b"),
    policy("p0", "DENY", "z*"),
  ],
  redisServices: [
    redisService("r2", {
      host: [HOST],
      redis: [{ route: { host: "other.mesh.svc.cluster.local" } }],
    }, NS),
    redisService("r1", { host: [HOST], redis: [{ route: { host: HOST } }] }, NS),
  ],
  redisDestinations: [
    redisDestination("d2", {
      host: HOST,
      trafficPolicy: { connectionPool: { redis: { mode: "CLUSTER" } } },
    }, NS),
    redisDestination("d1", {
      host: HOST,
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 5 } } },
    }, NS),
  ],
};

function run(gen: ProtocolGenerator, snap: Partial<MeshSnapshot>, port: number): string {
  const ctx = contextOf(snap, HOST);
  const ports = ctx.serviceEntry.spec.ports ?? [];
  const i = ports.findIndex((p) => p.number === port);
  return JSON.stringify(gen(ctx, ports[i], i));
}

const cases: Array<[string, ProtocolGenerator, number]> = [
  ["dubbo", dubboGenerator, 20880],
  ["thrift", thriftGenerator, 20880],
  ["redis", redisGenerator, 6379],
];

for (const [name, gen, port] of cases) {
  Deno.test(`${name}Generator() output does not depend on the order of input objects`, () => {
    const expected = run(gen, snapshot, port);
    const keys = Object.keys(snapshot) as (keyof MeshSnapshot)[];
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: keys.length, maxLength: keys.length }),
        (seeds) => {
          const shuffled: Record<string, unknown> = {};
          keys.forEach((k, i) => {
            const list = [...(snapshot[k] as unknown[])];
            for (let j = list.length - 1; j > 0; j--) {
              const r = (seeds[i] + j * 7919) % (j + 1);
              [list[j], list[r]] = [list[r], list[j]];
            }
            shuffled[k] = list;
          });
          assert.equal(run(gen, shuffled as Partial<MeshSnapshot>, port), expected);
        },
      ),
      { numRuns: 50 },
    );
  });
}

Deno.test("redisGenerator() takes the first RedisService and RedisDestination by name", () => {
  const out = JSON.parse(run(redisGenerator, snapshot, 6379));
  const patches = out.filters[0].configPatches;
  const proxy = patches[0].patch.value.typed_config.value;
  assert.deepEqual(proxy.prefixRoutes, { catchAllRoute: { cluster: `outbound|6379||${HOST}` } });
  // d1 (TCP pool) wins over d2 (CLUSTER mode).
  assert.equal(patches[2].patch.value.type, "EDS");
  assert.equal(patches[2].patch.value.circuitBreakers.thresholds[0].maxConnections, 5);
});
