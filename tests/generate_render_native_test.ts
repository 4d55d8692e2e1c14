/**
 * The native-protocol acceptance cases of control-plane spec §7 (Dubbo §7.4, Thrift §7.5,
 * Kafka and ZooKeeper §7.6, Redis §7.3) run through `aeraki render` over the YAML in
 * `tests/testdata/render/native/`: golden YAML, every object valid against the Istio models
 * and Envoy's protos, and the fields each upstream e2e test asserts checked explicitly.
 */
import assert from "node:assert/strict";
import { main } from "../operator/cli/main.ts";
import { memoryIo } from "../operator/cli/command.ts";
import type { GeneratedObject, MeshOutput } from "../operator/generate/mod.ts";
import { assertGolden } from "./golden.ts";
import { assertValidOutput } from "./generate_validate.ts";

const DATA = "tests/testdata/render/native";
const DUBBO_HOST = "org.apache.dubbo.samples.basic.api.demoservice";
// deno-lint-ignore no-explicit-any
type Json = any;

async function render(name: string): Promise<MeshOutput> {
  const yaml = memoryIo();
  assert.equal(await main(["render", `${DATA}/${name}.yaml`], yaml), 0, yaml.stderr());
  await assertGolden(`generate/render/native_${name}.yaml`, yaml.stdout());
  const json = memoryIo();
  assert.equal(await main(["render", "--format", "json", `${DATA}/${name}.yaml`], json), 0);
  const output = JSON.parse(json.stdout()) as MeshOutput;
  assertValidOutput(output);
  assert.deepEqual(output.problems, []);
  return output;
}

function filter(out: MeshOutput, prefix: string): GeneratedObject {
  const found = out.envoyFilters.filter((f) => f.metadata.name.startsWith(prefix));
  assert.equal(found.length, 1, `one EnvoyFilter named ${prefix}…`);
  return found[0];
}

function patchValue(ef: GeneratedObject, index = 0): Json {
  return (ef.spec.configPatches as Json[])[index].patch.value;
}

Deno.test("render Dubbo native routes methods and headers from the VirtualService (§7.4)", async () => {
  const out = await render("dubbo");
  const outbound = filter(out, "aeraki-outbound-");
  assert.equal(outbound.metadata.name, `aeraki-outbound-${DUBBO_HOST}-240.240.0.2-20880`);
  const value = patchValue(outbound);
  assert.equal(value.name, "envoy.filters.network.dubbo_proxy");
  const proxy = value.typed_config.value;
  assert.equal(proxy.statPrefix, `outbound|20880||${DUBBO_HOST}`);
  const [config] = proxy.routeConfig;
  assert.equal(config.name, `outbound|20880||${DUBBO_HOST}`);
  assert.equal(config.interface, "org.apache.dubbo.samples.basic.api.DemoService");
  assert.deepEqual(config.routes.map((r: Json) => r.match), [
    {
      method: { name: { safeRegex: { googleRe2: {}, regex: ".*" } } },
      headers: [{ name: "batchJob", exactMatch: "true" }],
    },
    { method: { name: { exact: "sayHello01" } } },
    { method: { name: { prefix: "say" } } },
    { method: { name: { safeRegex: { googleRe2: {}, regex: "^s.*o$" } } } },
  ]);
  assert.deepEqual(config.routes[0].route, { cluster: `outbound|20880|batchjob|${DUBBO_HOST}` });
  assert.deepEqual(config.routes[3].route.weightedClusters.totalWeight, 100);
  assert.deepEqual(proxy.dubboFilters, [{ name: "envoy.filters.dubbo.router" }]);
});

Deno.test("render Dubbo native puts the RBAC filter of the policy before the inbound router", async () => {
  const inbound = patchValue(filter(await render("dubbo"), "aeraki-inbound-")).typed_config.value;
  assert.equal(inbound.statPrefix, "inbound|20880||");
  assert.deepEqual(inbound.dubboFilters.map((f: Json) => f.name), [
    "envoy.filters.dubbo.rbac",
    "envoy.filters.dubbo.router",
  ]);
  const rbac = inbound.dubboFilters[0].config;
  assert.equal(rbac.rules.action, undefined, "ALLOW is the proto default, omitted");
  assert.deepEqual(Object.keys(rbac.rules.policies), ["ns[dubbo]-policy[demo]-rule[0]"]);
});

Deno.test("render Thrift native splits 30/70 between v1 and v2 (§7.5)", async () => {
  const out = await render("thrift");
  const host = "thrift-sample-server.thrift.svc.cluster.local";
  const outbound = patchValue(filter(out, "aeraki-outbound-"));
  assert.equal(outbound.name, "envoy.filters.network.thrift_proxy");
  const proxy = outbound.typed_config.value;
  assert.equal(proxy.statPrefix, `outbound|9090||${host}`);
  assert.deepEqual(proxy.routeConfig.routes, [{
    match: { methodName: "" },
    route: {
      weightedClusters: {
        clusters: [
          { name: `outbound|9090|v1|${host}`, weight: 30 },
          { name: `outbound|9090|v2|${host}`, weight: 70 },
        ],
      },
    },
  }]);
  assert.deepEqual(proxy.thriftFilters, [{ name: "envoy.filters.thrift.router" }]);
  const inbound = patchValue(filter(out, "aeraki-inbound-")).typed_config.value;
  assert.deepEqual(inbound.routeConfig.routes, [{
    match: { methodName: "" },
    route: { cluster: "inbound|9090||" },
  }]);
});

Deno.test("render Kafka and ZooKeeper insert their filters before tcp_proxy (§7.6)", async () => {
  const out = await render("kafka");
  const cases = [
    ["my-release-kafka", 9092, "envoy.filters.network.kafka_broker"],
    ["my-release-zookeeper", 2181, "envoy.filters.network.zookeeper_proxy"],
  ] as const;
  for (const [name, port, filterName] of cases) {
    const host = `${name}.kafka.svc.cluster.local`;
    const outbound = filter(out, `aeraki-outbound-${host}`);
    const patch = (outbound.spec.configPatches as Json[])[0];
    assert.equal(patch.patch.operation, "INSERT_BEFORE");
    assert.equal(patch.patch.value.name, filterName);
    assert.deepEqual(patch.patch.value.typed_config.value, {
      statPrefix: `outbound|${port}||${host}`,
    });
    const inbound = patchValue(filter(out, `aeraki-inbound-${host}`));
    assert.deepEqual(inbound.typed_config.value, { statPrefix: `inbound|${port}||` });
  }
});

Deno.test("render Redis routes key prefixes, authenticates clients and rebuilds clusters (§7.3)", async () => {
  const out = await render("redis");
  const fq = (n: string) => `${n}.redis.svc.cluster.local`;
  const cluster = filter(out, `aeraki-outbound-${fq("redis-cluster")}`);
  const proxy = patchValue(cluster).typed_config.value;
  assert.deepEqual(proxy.prefixRoutes, {
    routes: [{ prefix: "cluster", cluster: `outbound|6379||${fq("redis-cluster")}` }],
    catchAllRoute: { cluster: `outbound|6379||${fq("redis-single")}` },
  });
  assert.deepEqual(
    proxy.downstreamAuthPassword,
    { inlineString: "testredis" },
    "from the Secret, trimmed",
  );
  const [, remove, add] = cluster.spec.configPatches as Json[];
  assert.deepEqual(remove.patch, { operation: "REMOVE" });
  assert.equal(add.patch.value.clusterType.name, "envoy.clusters.redis");
  assert.equal(add.patch.value.lbPolicy, "CLUSTER_PROVIDED");
  const single = patchValue(filter(out, `aeraki-outbound-${fq("redis-single")}`), 2);
  assert.deepEqual(
    single.typedExtensionProtocolOptions["envoy.filters.network.redis_proxy"].authPassword,
    {
      inlineString: "testredis",
    },
  );
  assert.equal(single.lbPolicy, "MAGLEV");
});
