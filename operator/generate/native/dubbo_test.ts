import assert from "node:assert/strict";
import type { VirtualService } from "../../../api/mod.ts";
import { assertGolden } from "../../../tests/golden.ts";
import { contextOf, filterValue, names, render, serviceEntry } from "./_helpers_test.ts";
import { dubboGenerator } from "./dubbo.ts";

const HOST = "org.apache.dubbo.samples.basic.api.demoservice";
const IFACE = "org.apache.dubbo.samples.basic.api.DemoService";
const OUT = `outbound|20880||${HOST}`;
const ANY = { safeRegex: { googleRe2: {}, regex: ".*" } };

const provider = serviceEntry("dubbo-demoservice", "dubbo", {
  hosts: [HOST],
  addresses: ["240.240.0.1"],
  ports: [{ number: 20880, name: "tcp-dubbo", protocol: "TCP" }],
  workloadSelector: { labels: { app: "dubbo-sample-provider" } },
  resolution: "STATIC",
}, { interface: IFACE });

function vs(http: VirtualService["spec"]["http"]): VirtualService {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "VirtualService",
    metadata: { name: "test-dubbo-route", namespace: "dubbo" },
    spec: { hosts: [HOST], http },
  } as VirtualService;
}

function outboundRoutes(virtualService: VirtualService): unknown[] {
  const ctx = contextOf({ serviceEntries: [provider], virtualServices: [virtualService] }, HOST);
  const out = render(dubboGenerator, ctx, 20880);
  assert.deepEqual(out.problems, []);
  const config = filterValue(out.envoyFilters[0]).routeConfig as { routes: unknown[] }[];
  return config[0].routes;
}

const to = (subset: string) => ({ cluster: `outbound|20880|${subset}|${HOST}` });

Deno.test("dubboGenerator() writes the sidecar config of TestSidecarOutboundConfig", async () => {
  const out = render(dubboGenerator, contextOf({ serviceEntries: [provider] }, HOST), 20880);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(names(out.envoyFilters), [
    `aeraki-outbound-${HOST}-240.240.0.1-20880`,
    `aeraki-inbound-${HOST}-20880`,
  ]);
  assert.deepEqual(filterValue(out.envoyFilters[0]), {
    statPrefix: OUT,
    routeConfig: [{
      name: OUT,
      interface: IFACE,
      routes: [{ match: { method: { name: ANY } }, route: { cluster: OUT } }],
    }],
    dubboFilters: [{ name: "envoy.filters.dubbo.router" }],
  });
  assert.deepEqual(filterValue(out.envoyFilters[1]), {
    statPrefix: "inbound|20880||",
    routeConfig: [{
      name: "inbound|20880||",
      interface: "*",
      routes: [{ match: { method: { name: ANY } }, route: { cluster: "inbound|20880||" } }],
    }],
    dubboFilters: [{ name: "envoy.filters.dubbo.router" }],
  });
  await assertGolden("generate/native/dubbo.yaml", out.yaml);
});

Deno.test("dubboGenerator() leaves out the outbound filter without the interface annotation (Q4)", () => {
  const bare = serviceEntry("bare", "dubbo", { ...provider.spec, hosts: ["bare.dubbo"] });
  const out = render(dubboGenerator, contextOf({ serviceEntries: [bare] }, "bare.dubbo"), 20880);
  assert.deepEqual(names(out.envoyFilters), ["aeraki-inbound-bare.dubbo-20880"]);
  assert.equal(out.problems.length, 1);
  assert.equal(out.problems[0].object, "ServiceEntry/dubbo/bare");
  assert.equal(out.problems[0].field, "metadata.annotations.interface");
  assert.match(out.problems[0].message, /^Add the "interface" annotation/);
});

Deno.test("dubboGenerator() uses the port it generates for names and clusters (Q3)", () => {
  const two = serviceEntry("two", "dubbo", {
    ...provider.spec,
    hosts: ["two.dubbo"],
    ports: [{ number: 8080, name: "http-web" }, { number: 20881, name: "tcp-dubbo" }],
  }, { interface: IFACE });
  const out = render(dubboGenerator, contextOf({ serviceEntries: [two] }, "two.dubbo"), 20881);
  assert.deepEqual(names(out.envoyFilters), [
    "aeraki-outbound-two.dubbo-240.240.0.1-20881",
    "aeraki-inbound-two.dubbo-20881",
  ]);
  assert.equal(filterValue(out.envoyFilters[0]).statPrefix, "outbound|20881||two.dubbo");
  assert.equal(filterValue(out.envoyFilters[1]).statPrefix, "inbound|20881||");
});

Deno.test("dubboGenerator() routes a VirtualService subset (TestVersionRouting)", () => {
  const routes = outboundRoutes(vs([{ route: [{ destination: { host: HOST, subset: "v1" } }] }]));
  assert.deepEqual(routes, [{ match: { method: { name: ANY } }, route: to("v1") }]);
});

Deno.test("dubboGenerator() routes by method exact, prefix and regex (TestMethodRouting)", async () => {
  const routes = (kind: "exact" | "prefix" | "regex", v1: string, v2: string) =>
    outboundRoutes(vs([
      {
        name: "v1-routes",
        match: [{ method: { [kind]: v1 } }],
        route: [{ destination: { host: HOST, subset: "v1" } }],
      },
      {
        name: "v2-routes",
        match: [{ method: { [kind]: v2 } }],
        route: [{ destination: { host: HOST, subset: "v2" } }],
      },
    ]));
  assert.deepEqual(routes("exact", "sayHello01", "sayHello"), [
    { match: { method: { name: { exact: "sayHello01" } } }, route: to("v1") },
    { match: { method: { name: { exact: "sayHello" } } }, route: to("v2") },
  ]);
  assert.deepEqual(routes("prefix", "sayHello01", "say"), [
    { match: { method: { name: { prefix: "sayHello01" } } }, route: to("v1") },
    { match: { method: { name: { prefix: "say" } } }, route: to("v2") },
  ]);
  const regex = (r: string) => ({ safeRegex: { googleRe2: {}, regex: r } });
  assert.deepEqual(routes("regex", "sayHello01", "^s.*o$"), [
    { match: { method: { name: regex("sayHello01") } }, route: to("v1") },
    { match: { method: { name: regex("^s.*o$") } }, route: to("v2") },
  ]);
  const ctx = contextOf({
    serviceEntries: [provider],
    virtualServices: [vs([
      {
        name: "v1-routes",
        match: [{ method: { exact: "sayHello01" } }],
        route: [{ destination: { host: HOST, subset: "v1" } }],
      },
      {
        name: "v2-routes",
        match: [{ method: { exact: "sayHello" } }],
        route: [{ destination: { host: HOST, subset: "v2" } }],
      },
    ])],
  }, HOST);
  await assertGolden(
    "generate/native/dubbo_method_exact.yaml",
    render(dubboGenerator, ctx, 20880).yaml,
  );
});

Deno.test("dubboGenerator() matches Dubbo attachments from VirtualService headers (TestHeaderMatch)", async () => {
  const virtualService = vs([
    {
      match: [{ headers: { batchJob: { exact: "true" } } }],
      route: [{ destination: { host: HOST, subset: "batchjob" } }],
    },
    {
      match: [{ headers: { batchJob: { exact: "false" } } }],
      route: [{ destination: { host: HOST, subset: "user" } }],
    },
  ]);
  assert.deepEqual(outboundRoutes(virtualService), [
    {
      match: { method: { name: ANY }, headers: [{ name: "batchJob", exactMatch: "true" }] },
      route: to("batchjob"),
    },
    {
      match: { method: { name: ANY }, headers: [{ name: "batchJob", exactMatch: "false" }] },
      route: to("user"),
    },
  ]);
  const ctx = contextOf({ serviceEntries: [provider], virtualServices: [virtualService] }, HOST);
  await assertGolden("generate/native/dubbo_headers.yaml", render(dubboGenerator, ctx, 20880).yaml);
});

Deno.test("dubboGenerator() sorts header matchers and writes every match kind", () => {
  const routes = outboundRoutes(vs([{
    match: [{
      method: { prefix: "get" },
      headers: {
        zone: { regex: "eu-.*" },
        tenant: { prefix: "acme" },
        canary: {},
        app: { exact: "web" },
      },
    }],
    route: [{ destination: { host: HOST, subset: "v1" } }],
  }]));
  assert.deepEqual(routes, [{
    match: {
      method: { name: { prefix: "get" } },
      headers: [
        { name: "app", exactMatch: "web" },
        { name: "canary", presentMatch: true },
        { name: "tenant", prefixMatch: "acme" },
        { name: "zone", safeRegexMatch: { googleRe2: {}, regex: "eu-.*" } },
      ],
    },
    route: to("v1"),
  }]);
});

Deno.test("dubboGenerator() splits 20/80 with weighted clusters and totalWeight (TestPercentageRouting)", async () => {
  const virtualService = vs([{
    route: [
      { destination: { host: HOST, subset: "v1" }, weight: 20 },
      { destination: { host: HOST, subset: "v2" }, weight: 80 },
    ],
  }]);
  assert.deepEqual(outboundRoutes(virtualService), [{
    match: { method: { name: ANY } },
    route: {
      weightedClusters: {
        clusters: [
          { name: `outbound|20880|v1|${HOST}`, weight: 20 },
          { name: `outbound|20880|v2|${HOST}`, weight: 80 },
        ],
        totalWeight: 100,
      },
    },
  }]);
  const ctx = contextOf({ serviceEntries: [provider], virtualServices: [virtualService] }, HOST);
  await assertGolden("generate/native/dubbo_split.yaml", render(dubboGenerator, ctx, 20880).yaml);
});

Deno.test("dubboGenerator() turns each match of a route into a Dubbo route, in order", () => {
  const routes = outboundRoutes(vs([{
    match: [{ method: { exact: "a" } }, { method: { exact: "b" } }],
    route: [{ destination: { host: HOST, subset: "v1" } }],
  }]));
  assert.deepEqual(routes, [
    { match: { method: { name: { exact: "a" } } }, route: to("v1") },
    { match: { method: { name: { exact: "b" } } }, route: to("v1") },
  ]);
});
