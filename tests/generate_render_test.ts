/**
 * The acceptance cases of control-plane spec §7 as `aeraki render` runs over YAML in
 * `tests/testdata/render/`: golden YAML per case, every object valid against the real schemas,
 * and the field each case is about checked explicitly.
 */
import assert from "node:assert/strict";
import { main } from "../operator/cli/main.ts";
import { memoryIo } from "../operator/cli/command.ts";
import type { GeneratedObject, MeshOutput } from "../operator/generate/mod.ts";
import { assertGolden } from "./golden.ts";
import { assertValidOutput } from "./generate_validate.ts";

const DATA = "tests/testdata/render";
const DUBBO = [`${DATA}/_dubbo/service.yaml`, `${DATA}/_dubbo/destination_rule.yaml`];
const HOST = "org.apache.dubbo.samples.basic.api.demoservice";

async function render(name: string, paths: string[]): Promise<MeshOutput> {
  const yaml = memoryIo();
  assert.equal(await main(["render", ...paths], yaml), 0, yaml.stderr());
  await assertGolden(`generate/render/${name}.yaml`, yaml.stdout());
  const json = memoryIo();
  assert.equal(await main(["render", "--format", "json", ...paths], json), 0);
  const output = JSON.parse(json.stdout()) as MeshOutput;
  assertValidOutput(output);
  return output;
}

function proxyValue(ef: GeneratedObject): Record<string, unknown> {
  const patches = ef.spec.configPatches as { patch: { value: { typed_config: unknown } } }[];
  return (patches[0].patch.value.typed_config as { value: Record<string, unknown> }).value;
}

function onlyRoutes(out: MeshOutput): Record<string, unknown>[] {
  assert.equal(out.routeConfigurations.length, 1);
  const vh = out.routeConfigurations[0].virtualHosts[0] as { routes: Record<string, unknown>[] };
  return vh.routes;
}

function inbound(out: MeshOutput): Record<string, unknown> {
  const ef = out.envoyFilters.find((f) => f.metadata.name.startsWith("aeraki-inbound-"));
  assert.ok(ef, "an inbound EnvoyFilter");
  return proxyValue(ef);
}

Deno.test("render version routing sends sayHello of DemoService to subset v1", async () => {
  const [route] = onlyRoutes(
    await render("version_routing", [...DUBBO, `${DATA}/version_routing`]),
  );
  assert.deepEqual(route.match, {
    prefix: "/",
    headers: [
      { name: "interface", exactMatch: "org.apache.dubbo.samples.basic.api.DemoService" },
      { name: "method", exactMatch: "sayHello" },
    ],
  });
  assert.deepEqual(route.route, { cluster: `outbound|20880|v1|${HOST}` });
});

Deno.test("render percentage split weighs v1 20 and v2 80 out of 100", async () => {
  const [route] = onlyRoutes(
    await render("percentage_split", [...DUBBO, `${DATA}/percentage_split`]),
  );
  assert.deepEqual(route.route, {
    weightedClusters: {
      clusters: [
        { name: `outbound|20880|v1|${HOST}`, weight: 20 },
        { name: `outbound|20880|v2|${HOST}`, weight: 80 },
      ],
      totalWeight: 100,
    },
  });
});

Deno.test("render attribute routing keeps exact, prefix, regex and presence matchers in order", async () => {
  const routes = onlyRoutes(await render("attribute_match", [...DUBBO, `${DATA}/attribute_match`]));
  assert.deepEqual(routes.map((r) => r.name), [
    "exact-v1",
    "prefix-v1",
    "regex-v1",
    "regex-v2",
    "prefix-v2",
    "exact-v2",
  ]);
  const headers = (i: number) => (routes[i].match as { headers: unknown[] }).headers;
  assert.deepEqual(headers(0), [{ name: "method", exactMatch: "sayHello01" }]);
  assert.deepEqual(headers(1), [{ name: "method", prefixMatch: "sayHello01" }]);
  assert.deepEqual(headers(3), [
    { name: "interface", presentMatch: true },
    { name: "method", safeRegexMatch: { googleRe2: {}, regex: "^s.*o$" } },
  ]);
});

Deno.test("render consistent hash takes the subset's key and never repeats it", async () => {
  const paths = [DUBBO[0], `${DATA}/consistent_hash`];
  const [split, single] = onlyRoutes(await render("consistent_hash", paths));
  assert.deepEqual((split.route as { hashPolicy: unknown }).hashPolicy, [
    { header: { headerName: "method" } },
  ]);
  assert.deepEqual(single.route, {
    cluster: `outbound|20880|sample|${HOST}`,
    hashPolicy: [{ header: { headerName: "method" } }],
  });
});

Deno.test("render local rate limit puts the token buckets first in the inbound chain", async () => {
  const out = await render("local_rate_limit", [...DUBBO, `${DATA}/local_rate_limit`]);
  const [first] = inbound(out).metaProtocolFilters as { name: string; config: unknown }[];
  assert.deepEqual(first, {
    name: "aeraki.meta_protocol.filters.local_ratelimit",
    config: {
      "@type":
        "type.googleapis.com/aeraki.meta_protocol_proxy.filters.local_ratelimit.v1alpha.LocalRateLimit",
      statPrefix: HOST,
      tokenBucket: { maxTokens: 5, tokensPerFill: 5, fillInterval: "60s" },
      conditions: [{
        match: { metadata: [{ name: "method", exactMatch: "sayHello" }] },
        tokenBucket: { maxTokens: 2, tokensPerFill: 2, fillInterval: "60s" },
      }],
    },
  });
});

Deno.test("render global rate limit calls the rate-limit service with a 0.100s timeout", async () => {
  const out = await render("global_rate_limit", [...DUBBO, `${DATA}/global_rate_limit`]);
  const [first] = inbound(out).metaProtocolFilters as { name: string; config: unknown }[];
  assert.deepEqual(first, {
    name: "aeraki.meta_protocol.filters.ratelimit",
    config: {
      "@type": "type.googleapis.com/aeraki.meta_protocol_proxy.filters.ratelimit.v1alpha.RateLimit",
      match: { metadata: [{ name: "method", exactMatch: "sayHello" }] },
      domain: "production",
      timeout: "0.100s",
      failureModeDeny: true,
      rateLimitService: {
        grpcService: {
          envoyGrpc: {
            clusterName: "outbound|8081||rate-limit-server.metaprotocol.svc.cluster.local",
          },
        },
      },
      descriptors: [{ property: "method", descriptorKey: "method" }],
    },
  });
});

Deno.test("render exportTo puts one inbound and one outbound filter in each namespace", async () => {
  const out = await render("export_to", [...DUBBO, `${DATA}/export_to`]);
  const names = out.envoyFilters.map((f) => `${f.metadata.namespace}/${f.metadata.name}`);
  assert.deepEqual(names, [
    `default/aeraki-inbound-${HOST}-20880`,
    `default/aeraki-outbound-${HOST}-240.240.0.1-20880`,
    `metaprotocol/aeraki-inbound-${HOST}-20880`,
    `metaprotocol/aeraki-outbound-${HOST}-240.240.0.1-20880`,
  ]);
});

Deno.test("render mirroring copies half the requests to v2", async () => {
  const [route] = onlyRoutes(await render("mirroring", [...DUBBO, `${DATA}/mirroring`]));
  assert.deepEqual(route.route, {
    cluster: `outbound|20880|v1|${HOST}`,
    requestMirrorPolicies: [{
      cluster: `outbound|20880|v2|${HOST}`,
      runtimeFraction: { defaultValue: { numerator: 500000, denominator: "MILLION" } },
    }],
  });
});

Deno.test("render header mutation adds request and response headers", async () => {
  const [route] = onlyRoutes(
    await render("header_mutation", [...DUBBO, `${DATA}/header_mutation`]),
  );
  assert.deepEqual(route.requestHeadersToAdd, [
    { header: { key: "foo", value: "bar" } },
    { header: { key: "foo1", value: "bar1" } },
  ]);
  assert.deepEqual(route.responseHeadersToAdd, [{ header: { key: "served-by", value: "aeraki" } }]);
});

Deno.test("render gateway gives each MetaProtocol server its own filter and VirtualService", async () => {
  const out = await render("gateway", [`${DATA}/gateway`]);
  const gw = out.envoyFilters.filter((f) => f.metadata.name.startsWith("aeraki-gateway-"));
  assert.deepEqual(gw.map((f) => f.metadata.name), [
    "aeraki-gateway-outbound-istio-ingressgateway.istio-system-9090",
    "aeraki-gateway-outbound-istio-ingressgateway.istio-system-9091",
  ]);
  assert.deepEqual(gw.map((f) => (f.spec.workloadSelector as { labels: unknown }).labels), [
    { istio: "ingressgateway" },
    { istio: "ingressgateway" },
  ]);
  const rds = gw.map((f) => (proxyValue(f).rds as { routeConfigName: string }).routeConfigName);
  assert.deepEqual(rds, [
    "thrift-sample-server.meta-thrift.svc.cluster.local_9090",
    "thrift-sample-server.meta-thrift.svc.cluster.local_9091",
  ]);
  assert.deepEqual(out.virtualServices[1].spec, {
    hosts: ["thrift-sample-server.meta-thrift.svc.cluster.local"],
    gateways: ["istio-system/istio-ingressgateway"],
    tcp: [{
      match: [{ port: 9091 }],
      route: [{
        destination: {
          host: "thrift-sample-server.meta-thrift.svc.cluster.local",
          port: { number: 9091 },
        },
      }],
    }],
  });
});
