/**
 * meta-protocol-proxy's own manual-test bootstraps (tests/fixtures/upstream_proxy) load and
 * compile as `envoy --mode validate` would, with exactly the listed ignored fields.
 */
import assert from "node:assert/strict";
import { formatNote, loadBootstrap } from "../proxy/bootstrap/mod.ts";
import type { CompiledBootstrap } from "../proxy/bootstrap/mod.ts";
import type { FilterModel, ListenerModel } from "../proxy/config/model.ts";

const DIR = new URL("./fixtures/upstream_proxy/", import.meta.url).pathname;
const ADMIN_LOG = "admin.access_log_path: admin requests are not access-logged";
const STATS = "stats_config: stats are kept under their full names; no tags, sinks or matchers";
const HTTP2 = "static_resources.clusters[0].http2_protocol_options: gRPC clusters always speak " +
  "HTTP/2 and data clusters carry the application protocol";

const LOCAL_VARIANTS = [
  "full-match-condition",
  "full-no-matched-condition",
  "no-global-bucket-match-condition",
  "no-global-bucket-no-matched-condition",
  "only-global-token",
];

/** Every fixture that loads, with its exact ignored-field list. */
const EXPECTED_IGNORED: Record<string, string[]> = {
  "thrift.yaml": [ADMIN_LOG],
  "dubbo.yaml": [ADMIN_LOG, STATS],
  "rds.yaml": [ADMIN_LOG, HTTP2],
  "hash_policy.yaml": [ADMIN_LOG],
  "global-ratelimit.yaml": [ADMIN_LOG],
  "trpc.yaml": [ADMIN_LOG],
  "idle_timeout.yaml": [ADMIN_LOG],
  ...Object.fromEntries(LOCAL_VARIANTS.map((v) => [`local-ratelimit-${v}.yaml`, [ADMIN_LOG]])),
};

async function load(name: string): Promise<CompiledBootstrap> {
  const r = await loadBootstrap(DIR + name);
  if (!r.ok) assert.fail(r.problems.map(formatNote).join("\n"));
  return r.config;
}

function listener(c: CompiledBootstrap): ListenerModel {
  assert.equal(c.model.listeners.length, 1);
  return c.model.listeners[0];
}

function filter<K extends FilterModel["kind"]>(l: ListenerModel, kind: K) {
  const f = l.filters.find((x) => x.kind === kind);
  assert.ok(f, `no ${kind} filter`);
  return f as Extract<FilterModel, { kind: K }>;
}

for (const [name, ignored] of Object.entries(EXPECTED_IGNORED)) {
  Deno.test(`loadBootstrap() loads upstream ${name} with exactly the expected ignored fields`, async () => {
    const r = await loadBootstrap(DIR + name);
    assert.deepEqual(r.problems.map(formatNote), []);
    assert.deepEqual(r.ignored.map((n) => `${n.path}: ${n.message}`), ignored);
  });
}

Deno.test("loadBootstrap() compiles upstream idle_timeout.yaml (bRPC codec, idle timeout in seconds)", async () => {
  const c = await load("idle_timeout.yaml");
  const l = listener(c);
  assert.deepEqual([l.port, l.protocol, l.codec, l.idleTimeoutMs, l.multiplexing], [
    20000,
    "brpc",
    "aeraki.meta_protocol.codec.brpc",
    5000,
    false,
  ]);
  assert.deepEqual(l.filters, [{ kind: "router" }]);
  const route = l.route.kind === "inline" ? l.route.table.routes[0] : undefined;
  assert.deepEqual(route?.match, []);
  assert.deepEqual(route?.action.target, {
    kind: "cluster",
    name: "outbound|20000||demo.brpc.server",
  });
  assert.deepEqual(c.model.clusters[0].endpoints.map((e) => [e.address, e.port]), [[
    "127.0.0.1",
    20001,
  ]]);
});

Deno.test("loadBootstrap() compiles upstream thrift.yaml (single-object lists, deprecated codec fields)", async () => {
  const c = await load("thrift.yaml");
  const l = listener(c);
  assert.deepEqual([l.address, l.port, l.protocol, l.codec], [
    "0.0.0.0",
    9090,
    "thrift",
    "aeraki.meta_protocol.codec.thrift",
  ]);
  assert.equal(l.statPrefix, "outbound|9090||thrift-sample-server.thrift.svc.cluster.local");
  assert.deepEqual(l.filters, [{ kind: "router" }]);
  assert.equal(l.route.kind, "inline");
  const route = l.route.kind === "inline" ? l.route.table.routes[0] : undefined;
  assert.deepEqual(route?.match, [{ name: "method", match: { kind: "exact", value: "sayHello" } }]);
  assert.deepEqual(route?.requestMutation, [{ key: "foo", value: "bar" }, {
    key: "foo1",
    value: "bar1",
  }]);
  assert.deepEqual(c.model.clusters.map((x) => [x.name, x.type, x.lbPolicy, x.connectTimeoutMs]), [
    ["outbound|9090||thrift-sample-server.thrift.svc.cluster.local", "STATIC", "ROUND_ROBIN", 5000],
  ]);
  assert.deepEqual(c.model.clusters[0].endpoints, [{
    address: "127.0.0.1",
    port: 9091,
    weight: 1,
    health: "unknown",
  }]);
  assert.deepEqual(c.model.admin, { address: "127.0.0.1", port: 8080 });
});

Deno.test("loadBootstrap() compiles upstream dubbo.yaml (mirror, tracing, access log, metadata exchange)", async () => {
  const c = await load("dubbo.yaml");
  const l = listener(c);
  assert.equal(l.multiplexing, true);
  assert.equal(l.direction, "outbound");
  assert.deepEqual(l.filters.map((f) => f.kind), ["metadata_exchange", "istio_stats", "router"]);
  assert.equal(
    filter(l, "istio_stats").destinationService,
    "org.apache.dubbo.samples.basic.api.demoservice",
  );
  const mx = filter(l, "metadata_exchange");
  assert.equal(mx.peerMetadataId, c.node.id);
  assert.match(atob(mx.peerMetadata), /dubbo-sample-consumer/);
  const route = l.route.kind === "inline" ? l.route.table.routes[0] : undefined;
  assert.deepEqual(route?.action.mirrors, [{
    cluster: "outbound|20880||org.apache.dubbo.samples.basic.api.demoservice.mirror",
    fraction: { numerator: 50, denominator: 100 },
  }]);
  assert.deepEqual(l.tracing, {
    clientSampling: 100,
    randomSampling: 100,
    overallSampling: 100,
    verbose: false,
    maxTagLength: 256,
    provider: {
      kind: "zipkin",
      collectorCluster: "zipkin",
      collectorEndpoint: "/api/v2/spans",
      collectorHostname: "zipkin",
      traceId128bit: true,
      sharedSpanContext: false,
    },
    serviceName: c.node.cluster,
    nodeId: c.node.id,
  });
  assert.equal(l.accessLogs.length, 1);
  const log = l.accessLogs[0].config as {
    path: string;
    format: { kind: string; template: string };
  };
  assert.equal(log.path, "/dev/stdout");
  assert.match(log.format.template, /^\[%START_TIME%\] "%REQ\(X-REQUEST-ID\)% .* %ROUTE_NAME%\n$/);
});

Deno.test("loadBootstrap() compiles upstream rds.yaml into an RDS subscription", async () => {
  const c = await load("rds.yaml");
  const l = listener(c);
  assert.equal(l.route.kind, "rds");
  assert.deepEqual(c.rds, [{
    routeConfigName: "test",
    source: { kind: "grpc", cluster: "aeraki_xds_server", timeoutMs: 10_000, initialMetadata: [] },
    listeners: ["listener_meta_protocol"],
  }]);
  assert.deepEqual(c.node, { id: "test-id", cluster: "test", metadata: {} });
});

Deno.test("loadBootstrap() compiles upstream hash_policy.yaml into a MAGLEV cluster and a hash key", async () => {
  const c = await load("hash_policy.yaml");
  const l = listener(c);
  const route = l.route.kind === "inline" ? l.route.table.routes[0] : undefined;
  assert.deepEqual(route?.action.hashPolicy, ["method"]);
  assert.deepEqual(route?.match, []);
  assert.equal(c.model.clusters[0].lbPolicy, "MAGLEV");
  assert.deepEqual(c.model.clusters[0].maglev, { tableSize: 65537 });
});

Deno.test("loadBootstrap() compiles upstream global-ratelimit.yaml", async () => {
  const l = listener(await load("global-ratelimit.yaml"));
  assert.deepEqual(filter(l, "ratelimit"), {
    kind: "ratelimit",
    match: [{ name: "method", match: { kind: "exact", value: "sayHello" } }],
    domain: "production",
    descriptors: [{ property: "method", descriptorKey: "method" }],
    timeoutMs: 20,
    failureModeDeny: true,
    cluster: "ratelimit",
  });
});

Deno.test("loadBootstrap() compiles the five upstream local-ratelimit variants", async () => {
  const buckets: Record<string, unknown> = {};
  for (const v of LOCAL_VARIANTS) {
    const f = filter(listener(await load(`local-ratelimit-${v}.yaml`)), "local_ratelimit");
    assert.equal(f.statPrefix, "outbound|9090||thrift-sample-server.thrift.svc.cluster.local");
    buckets[v] = [f.tokenBucket, f.conditions.map((c) => [c.match[0].match, c.tokenBucket])];
  }
  const b = (maxTokens: number, fillIntervalMs: number) => ({
    maxTokens,
    tokensPerFill: maxTokens,
    fillIntervalMs,
  });
  const m = (value: string) => ({ kind: "exact", value });
  assert.deepEqual(buckets, {
    "full-match-condition": [b(5, 5000), [[m("sayHello"), b(2, 30_000)]]],
    "full-no-matched-condition": [b(3, 30_000), [[m("noneExistingMethod"), b(2, 10_000)]]],
    "no-global-bucket-match-condition": [undefined, [[m("sayHello"), b(2, 10_000)]]],
    "no-global-bucket-no-matched-condition": [undefined, [[m("noneExistingMethod"), b(2, 60_000)]]],
    "only-global-token": [b(2, 30_000), []],
  });
});

Deno.test("loadBootstrap() compiles upstream trpc.yaml, warning about its repeated statPrefix", async () => {
  const r = await loadBootstrap(DIR + "trpc.yaml");
  assert.ok(r.ok);
  assert.deepEqual(r.warnings.map((w) => w.message), [
    'Duplicate key "statPrefix" at line 79: the last value is used',
  ]);
  const l = listener(r.config);
  assert.equal(l.statPrefix, "trpc.test.helloworld");
  const route = l.route.kind === "inline" ? l.route.table.routes[0] : undefined;
  assert.deepEqual(route?.match.map((x) => x.match), [
    { kind: "exact", value: "trpc.test.helloworld" },
    { kind: "prefix", value: "/trpc.test.helloworld.Greeter/SayHello" },
  ]);
});
