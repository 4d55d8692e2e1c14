import assert from "node:assert/strict";
import type { VirtualService } from "../../../api/mod.ts";
import { assertGolden } from "../../../tests/golden.ts";
import { contextOf, filterValue, names, render, serviceEntry } from "./_helpers_test.ts";
import { thriftGenerator } from "./thrift.ts";

const HOST = "thrift-sample-server.thrift.svc.cluster.local";
const server = serviceEntry("synthetic-thrift-sample-server", "thrift", {
  hosts: [HOST],
  addresses: ["10.96.0.30"],
  ports: [
    { number: 8080, name: "http-metrics" },
    { number: 9090, name: "tcp-thrift-hello-server", protocol: "TCP" },
  ],
  workloadSelector: { labels: { app: "thrift-sample-server" } },
  resolution: "STATIC",
});

function virtualService(http: VirtualService["spec"]["http"]): VirtualService {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "VirtualService",
    metadata: { name: "thrift-sample-server", namespace: "thrift" },
    spec: { hosts: [HOST], http },
  } as VirtualService;
}

Deno.test("thriftGenerator() writes the sidecar config of TestSidecarOutboundConfig and TestSidecarInboundConfig", async () => {
  const out = render(thriftGenerator, contextOf({ serviceEntries: [server] }, HOST), 9090);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(names(out.envoyFilters), [
    `aeraki-outbound-${HOST}-10.96.0.30-9090`,
    `aeraki-inbound-${HOST}-9090`,
  ]);
  const outbound = `outbound|9090||${HOST}`;
  assert.deepEqual(filterValue(out.envoyFilters[0]), {
    statPrefix: outbound,
    routeConfig: {
      name: outbound,
      routes: [{ match: { methodName: "" }, route: { cluster: outbound } }],
    },
    thriftFilters: [{ name: "envoy.filters.thrift.router" }],
  });
  assert.deepEqual(filterValue(out.envoyFilters[1]), {
    statPrefix: "inbound|9090||",
    routeConfig: {
      name: "inbound|9090||",
      routes: [{ match: { methodName: "" }, route: { cluster: "inbound|9090||" } }],
    },
    thriftFilters: [{ name: "envoy.filters.thrift.router" }],
  });
  await assertGolden("generate/native/thrift.yaml", out.yaml);
});

Deno.test("thriftGenerator() routes to the VirtualService subset (TestVersionRouting)", () => {
  const vs = virtualService([{ route: [{ destination: { host: HOST, subset: "v1" } }] }]);
  const ctx = contextOf({ serviceEntries: [server], virtualServices: [vs] }, HOST);
  const out = render(thriftGenerator, ctx, 9090);
  const routes = (filterValue(out.envoyFilters[0]).routeConfig as { routes: unknown[] }).routes;
  assert.deepEqual(routes, [
    { match: { methodName: "" }, route: { cluster: `outbound|9090|v1|${HOST}` } },
  ]);
  // Inbound never takes VirtualService routes.
  const inbound = (filterValue(out.envoyFilters[1]).routeConfig as { routes: unknown[] }).routes;
  assert.deepEqual(inbound, [{ match: { methodName: "" }, route: { cluster: "inbound|9090||" } }]);
});

Deno.test("thriftGenerator() splits 30/70 with weighted clusters and no totalWeight (TestPercentageRouting)", async () => {
  const vs = virtualService([{
    route: [
      { destination: { host: HOST, subset: "v1" }, weight: 30 },
      { destination: { host: HOST, subset: "v2" }, weight: 70 },
    ],
  }]);
  const ctx = contextOf({ serviceEntries: [server], virtualServices: [vs] }, HOST);
  const out = render(thriftGenerator, ctx, 9090);
  assert.deepEqual(out.problems, []);
  const routes = (filterValue(out.envoyFilters[0]).routeConfig as { routes: unknown[] }).routes;
  assert.deepEqual(routes, [{
    match: { methodName: "" },
    route: {
      weightedClusters: {
        clusters: [
          { name: `outbound|9090|v1|${HOST}`, weight: 30 },
          { name: `outbound|9090|v2|${HOST}`, weight: 70 },
        ],
      },
    },
  }]);
  await assertGolden("generate/native/thrift_split.yaml", out.yaml);
});

Deno.test("thriftGenerator() reports unusable routes and falls back to the catch-all route", () => {
  const vs = virtualService([
    { name: "empty" },
    {
      name: "unweighted",
      route: [{ destination: { host: HOST, subset: "v1" } }, {
        destination: { host: HOST, subset: "v2" },
      }],
    },
  ]);
  const ctx = contextOf({ serviceEntries: [server], virtualServices: [vs] }, HOST);
  const out = render(thriftGenerator, ctx, 9090);
  assert.deepEqual(out.problems.map((p) => [p.object, p.field]), [
    ["VirtualService/thrift/thrift-sample-server", "spec.http[0].route"],
    ["VirtualService/thrift/thrift-sample-server", "spec.http[1].route"],
  ]);
  assert.match(out.problems[0].message, /^Add a destination to route "empty"/);
  assert.match(out.problems[1].message, /^Set a weight above 0/);
  const routes = (filterValue(out.envoyFilters[0]).routeConfig as { routes: unknown[] }).routes;
  assert.deepEqual(routes, [
    { match: { methodName: "" }, route: { cluster: `outbound|9090||${HOST}` } },
  ]);
});

Deno.test("thriftGenerator() leaves zero-weight destinations out of a split", () => {
  const vs = virtualService([{
    route: [
      { destination: { host: HOST, subset: "v1" }, weight: 100 },
      { destination: { host: HOST, subset: "v2" }, weight: 0 },
    ],
  }]);
  const ctx = contextOf({ serviceEntries: [server], virtualServices: [vs] }, HOST);
  const routes = (filterValue(render(thriftGenerator, ctx, 9090).envoyFilters[0])
    .routeConfig as { routes: { route: unknown }[] }).routes;
  assert.deepEqual(routes[0].route, {
    weightedClusters: { clusters: [{ name: `outbound|9090|v1|${HOST}`, weight: 100 }] },
  });
});
