/**
 * Orchestration behaviour a user notices: every supported port generates (Q3), a service without
 * hosts is skipped with a problem but nothing else is (Q2), problems name object and field,
 * duplicate names are reported, namespace scope and static (inline) routes.
 */
import assert from "node:assert/strict";
import type { ServiceEntry } from "../api/mod.ts";
import {
  buildMesh,
  EMPTY_SNAPSHOT,
  type MeshSnapshot,
  type ProtocolGenerator,
} from "../operator/generate/mod.ts";
import { E2E_MESH, metaRouter, serviceEntry, splitRoute } from "./generate_fixtures.ts";
import { assertValidOutput } from "./generate_validate.ts";

function mesh(serviceEntries: ServiceEntry[], extra: Partial<MeshSnapshot> = {}): MeshSnapshot {
  return { ...EMPTY_SNAPSHOT, serviceEntries, meshConfig: E2E_MESH, ...extra };
}

function names(snapshot: MeshSnapshot, options = {}): string[] {
  return buildMesh(snapshot, options).envoyFilters.map((f) => f.metadata.name);
}

Deno.test("buildMesh() generates every MetaProtocol port of a service, each named by port", () => {
  const se = serviceEntry(1);
  const twoPorts: ServiceEntry = {
    ...se,
    spec: {
      ...se.spec,
      ports: [
        { number: 9090, name: "tcp-metaprotocol-thrift-a" },
        { number: 20880, name: "tcp-metaprotocol-dubbo-b" },
        { number: 3306, name: "tcp-mysql" },
      ],
    },
  };
  const out = buildMesh(mesh([twoPorts]));
  assert.deepEqual(out.envoyFilters.map((f) => f.metadata.name), [
    "aeraki-inbound-svc1.ns1.svc.cluster.local-20880",
    "aeraki-inbound-svc1.ns1.svc.cluster.local-9090",
    "aeraki-outbound-svc1.ns1.svc.cluster.local-10.0.0.1-20880",
    "aeraki-outbound-svc1.ns1.svc.cluster.local-10.0.0.1-9090",
  ]);
  assert.deepEqual(out.routeConfigurations.map((r) => r.name), [
    "svc1.ns1.svc.cluster.local_20880",
    "svc1.ns1.svc.cluster.local_9090",
  ]);
  assertValidOutput(out);
});

Deno.test("buildMesh() skips a ServiceEntry without hosts with a problem and keeps the rest", () => {
  const empty: ServiceEntry = { ...serviceEntry(0), spec: { ...serviceEntry(0).spec, hosts: [] } };
  const out = buildMesh(mesh([empty, serviceEntry(2)]));
  assert.equal(out.envoyFilters.length, 2);
  assert.deepEqual(out.problems, [{
    object: "ServiceEntry/ns0/svc0",
    field: "spec.hosts",
    message: "Add a host: a ServiceEntry without hosts cannot be routed",
  }]);
});

Deno.test("buildMesh() reports an unknown codec on the port and still generates other services", () => {
  const se = serviceEntry(3);
  const brpc: ServiceEntry = {
    ...se,
    spec: { ...se.spec, ports: [{ number: 8000, name: "tcp-metaprotocol-brpc" }] },
  };
  const out = buildMesh(mesh([brpc, serviceEntry(4)]));
  assert.equal(out.envoyFilters.length, 2);
  assert.equal(out.problems.length, 1);
  assert.equal(out.problems[0].object, "ServiceEntry/ns3/svc3");
  assert.equal(out.problems[0].field, "spec.ports[0].name");
  assert.equal(
    out.problems[0].message,
    'Fix the protocol "brpc" in port "tcp-metaprotocol-brpc" or add an ApplicationProtocol for it: ' +
      'the known protocols are "dubbo", "thrift"',
  );
});

Deno.test("buildMesh() turns a crashing protocol generator into a problem for that service only", () => {
  const crash: ProtocolGenerator = (ctx) => {
    if (ctx.host.startsWith("svc5.")) throw new Error("boom");
    return { filters: [{ name: `custom-${ctx.host}`, configPatches: [] }], problems: [] };
  };
  const out = buildMesh(mesh([serviceEntry(5), serviceEntry(6)]), {
    generators: { metaprotocol: crash },
  });
  assert.deepEqual(out.envoyFilters.map((f) => f.metadata.name), [
    "custom-svc6.ns6.svc.cluster.local",
  ]);
  assert.match(out.problems[0].message, /^Report this bug: generating port .* failed: boom$/);
});

Deno.test("buildMesh() keeps the first of two services generating the same names and reports the other", () => {
  const a = serviceEntry(7, "a");
  const b: ServiceEntry = { ...a, metadata: { name: "svc7", namespace: "b" } };
  const out = buildMesh(mesh([b, a]));
  assert.equal(out.envoyFilters.length, 2);
  assert.equal(out.routeConfigurations.length, 1);
  assert.ok(out.problems.length > 0);
  assert.ok(out.problems.every((p) => p.object === "ServiceEntry/b/svc7"));
  assert.match(
    out.problems[0].message,
    /is also generated from ServiceEntry\/a\/svc7, which wins$/,
  );
});

Deno.test("buildMesh() puts filters in the service namespace with namespaceScope", () => {
  const out = buildMesh(mesh([serviceEntry(8)]), { namespaceScope: true });
  assert.deepEqual(out.envoyFilters.map((f) => f.metadata.namespace), ["ns8", "ns8"]);
});

Deno.test('buildMesh() generates no filters for a host exported to "~" only', () => {
  const se = serviceEntry(9);
  const host = se.spec.hosts[0];
  const router = metaRouter(host, "ns9", [splitRoute(host)], { exportTo: ["~"] });
  assert.deepEqual(names(mesh([se], { metaRouters: [router] })), []);
});

Deno.test("buildMesh() inlines routes in the outbound proxy in static mode", () => {
  const se = serviceEntry(10);
  const host = se.spec.hosts[0];
  const out = buildMesh(
    mesh([se], { metaRouters: [metaRouter(host, "ns10", [splitRoute(host)])] }),
    {
      routes: "inline",
    },
  );
  assert.equal(out.routeConfigurations.length, 0);
  const outbound = out.envoyFilters.find((f) => f.metadata.name.startsWith("aeraki-outbound"));
  const patch = (outbound?.spec.configPatches as { patch: { value: unknown } }[])[0];
  const value = (patch.patch.value as { typed_config: { value: Record<string, unknown> } })
    .typed_config.value;
  assert.equal(value.rds, undefined);
  assert.deepEqual((value.routeConfig as { name: string }).name, `${host}_9090`);
  assertValidOutput(out);
});

Deno.test("buildMesh() uses the first MetaRouter with routes and reports a later one (Q16)", () => {
  const se = serviceEntry(11);
  const host = se.spec.hosts[0];
  const limitOnly = metaRouter(host, "ns11", [], {
    localRateLimit: { tokenBucket: { maxTokens: 1, tokensPerFill: 1, fillInterval: "1s" } },
  }, "a-limits");
  const routes = metaRouter(host, "ns11", [splitRoute(host, 30)], {}, "b-routes");
  const ignored = metaRouter(host, "ns11", [splitRoute(host, 70)], {}, "c-ignored");
  const out = buildMesh(mesh([se], { metaRouters: [ignored, routes, limitOnly] }));
  const vh = out.routeConfigurations[0].virtualHosts[0] as { routes: { name: string }[] };
  assert.equal(vh.routes[0].name, "traffic-split");
  assert.match(JSON.stringify(vh.routes[0]), /"weight":30/);
  assert.deepEqual(out.problems.map((p) => p.object), ["MetaRouter/ns11/c-ignored"]);
  assertValidOutput(out);
});

Deno.test("assertValidOutput() rejects a patch value with an unknown field", () => {
  const out = buildMesh(mesh([serviceEntry(12)]));
  const broken = JSON.parse(JSON.stringify(out).replace('"statPrefix"', '"statPrefx"'));
  assert.throws(() => assertValidOutput(broken));
});
