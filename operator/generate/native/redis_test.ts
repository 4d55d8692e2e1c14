import assert from "node:assert/strict";
import { assertGolden } from "../../../tests/golden.ts";
import type { MeshSnapshot, SecretObject } from "../snapshot.ts";
import {
  contextOf,
  filterValue,
  names,
  redisDestination,
  redisService,
  render,
  serviceEntry,
} from "./_helpers_test.ts";
import { redisGenerator } from "./redis.ts";

const NS = "redis";
const CLUSTER = "redis-cluster.redis.svc.cluster.local";
const SINGLE = "redis-single.redis.svc.cluster.local";

const single = serviceEntry("synthetic-redis-single", NS, {
  hosts: [SINGLE],
  addresses: ["10.96.0.40"],
  ports: [{ number: 6379, name: "tcp-redis" }],
  workloadSelector: { labels: { app: "redis-single" } },
  resolution: "STATIC",
});
const cluster = serviceEntry("synthetic-redis-cluster", NS, {
  hosts: [CLUSTER],
  addresses: ["10.96.0.41"],
  ports: [{ number: 6379, name: "tcp-redis" }, { number: 16379, name: "tcp-gossip" }],
  workloadSelector: { labels: { app: "redis-cluster" } },
  resolution: "STATIC",
});
// test/e2e/redis/testdata: "testredis\n", base64.
const secret: SecretObject = {
  metadata: { name: "redis-service-secret", namespace: NS },
  data: { password: "dGVzdHJlZGlzCg==" },
};
const e2e: Partial<MeshSnapshot> = {
  serviceEntries: [single, cluster],
  secrets: [secret],
  redisServices: [
    redisService("redis-cluster", {
      host: [CLUSTER],
      settings: { auth: { secret: { name: "redis-service-secret" } } },
      redis: [
        { match: { key: { prefix: "cluster" } }, route: { host: CLUSTER } },
        { route: { host: SINGLE } },
      ],
    }),
    redisService("redis-single", { host: [SINGLE], redis: [{ route: { host: SINGLE } }] }),
  ],
  redisDestinations: [
    redisDestination("redis-cluster", {
      host: CLUSTER,
      trafficPolicy: { connectionPool: { redis: { mode: "CLUSTER" } } },
    }),
    redisDestination("redis-single", {
      host: SINGLE,
      trafficPolicy: { connectionPool: { redis: { auth: { plain: { password: "testredis" } } } } },
    }),
  ],
};

type Patch = { applyTo: string; match?: unknown; patch: { operation: string; value?: unknown } };
const patches = (ef: Record<string, unknown>) =>
  (ef.spec as { configPatches: Patch[] }).configPatches;
const istio = (host: string, name: string) => ({
  metadata: {
    filterMetadata: {
      istio: { default_original_port: 6379, services: [{ host, name, namespace: NS }] },
    },
  },
  filters: [{
    name: "istio.metadata_exchange",
    typedConfig: {
      "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
      typeUrl: "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
      value: { protocol: "istio-peer-exchange" },
    },
  }],
  transportSocketMatches: [{
    name: "tlsMode-disabled",
    transportSocket: { name: "envoy.transport_sockets.raw_buffer" },
  }],
});
const breakers = (maxConnections = 4294967295) => ({
  circuitBreakers: {
    thresholds: [{
      maxConnections,
      maxPendingRequests: 4294967295,
      maxRequests: 4294967295,
      maxRetries: 4294967295,
    }],
  },
});

Deno.test("redisGenerator() routes by key prefix with downstream auth and CLUSTER mode (TestKeyPrefixRoute)", async () => {
  const out = render(redisGenerator, contextOf(e2e, CLUSTER), 6379);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(names(out.envoyFilters), [
    `aeraki-outbound-${CLUSTER}-10.96.0.41-6379`,
    `aeraki-inbound-${CLUSTER}-6379`,
  ]);
  assert.deepEqual(filterValue(out.envoyFilters[0]), {
    statPrefix: `outbound|6379||${CLUSTER}`,
    settings: { opTimeout: "60s" },
    prefixRoutes: {
      routes: [{ prefix: "cluster", cluster: `outbound|6379||${CLUSTER}` }],
      catchAllRoute: { cluster: `outbound|6379||${SINGLE}` },
    },
    downstreamAuthPassword: { inlineString: "testredis" },
  });
  const [, remove, add] = patches(out.envoyFilters[0]);
  assert.deepEqual(remove, {
    applyTo: "CLUSTER",
    match: { cluster: { name: `outbound|6379||${CLUSTER}` } },
    patch: { operation: "REMOVE" },
  });
  assert.deepEqual(add.patch.value, {
    name: `outbound|6379||${CLUSTER}`,
    connectTimeout: "10s",
    lbPolicy: "CLUSTER_PROVIDED",
    ...breakers(),
    clusterType: { name: "envoy.clusters.redis" },
    loadAssignment: {
      clusterName: `outbound|6379||${CLUSTER}`,
      endpoints: [{
        lbEndpoints: [{
          endpoint: { address: { socketAddress: { address: CLUSTER, portValue: 6379 } } },
        }],
      }],
    },
    ...istio(CLUSTER, "redis-cluster"),
  });
  assert.deepEqual(filterValue(out.envoyFilters[1]), {
    statPrefix: "inbound|6379||",
    settings: { opTimeout: "3600s" },
    prefixRoutes: { catchAllRoute: { cluster: "inbound|6379||" } },
  });
  // Inbound filters never replace clusters.
  assert.equal(patches(out.envoyFilters[1]).length, 1);
  await assertGolden("generate/native/redis_cluster.yaml", out.yaml);
});

Deno.test("redisGenerator() authenticates upstream from the RedisDestination (TestAutoAuth)", async () => {
  const out = render(redisGenerator, contextOf(e2e, SINGLE), 6379);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(filterValue(out.envoyFilters[0]), {
    statPrefix: `outbound|6379||${SINGLE}`,
    settings: { opTimeout: "60s" },
    prefixRoutes: { catchAllRoute: { cluster: `outbound|6379||${SINGLE}` } },
  });
  assert.deepEqual(patches(out.envoyFilters[0])[2].patch.value, {
    name: `outbound|6379||${SINGLE}`,
    type: "EDS",
    edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: "V3" } },
    connectTimeout: "10s",
    lbPolicy: "MAGLEV",
    ...breakers(),
    typedExtensionProtocolOptions: {
      "envoy.filters.network.redis_proxy": {
        "@type":
          "type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProtocolOptions",
        authPassword: { inlineString: "testredis" },
      },
    },
    ...istio(SINGLE, "redis-single"),
  });
  await assertGolden("generate/native/redis_single.yaml", out.yaml);
});

Deno.test("redisGenerator() without RedisService or RedisDestination routes everything to the service", () => {
  const out = render(redisGenerator, contextOf({ serviceEntries: [single] }, SINGLE), 6379);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(filterValue(out.envoyFilters[0]), {
    statPrefix: `outbound|6379||${SINGLE}`,
    settings: { opTimeout: "60s" },
    prefixRoutes: { catchAllRoute: { cluster: `outbound|6379||${SINGLE}` } },
  });
  assert.deepEqual(patches(out.envoyFilters[0])[2].patch.value, {
    name: `outbound|6379||${SINGLE}`,
    type: "EDS",
    edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: "V3" } },
    connectTimeout: "10s",
    lbPolicy: "MAGLEV",
    ...breakers(),
  });
});

Deno.test("redisGenerator() matches the listener and cluster of the port it generates (Q3)", () => {
  const se = serviceEntry("r", NS, {
    hosts: ["r.redis.svc.cluster.local"],
    addresses: ["10.96.0.50", "10.96.0.51"],
    ports: [{ number: 8080, name: "http-metrics" }, { number: 6380, name: "tcp-redis" }],
    workloadSelector: { labels: { app: "r" } },
  });
  const out = render(redisGenerator, contextOf({ serviceEntries: [se] }, se.spec.hosts[0]), 6380);
  const [filter, remove] = patches(out.envoyFilters[0]);
  assert.deepEqual(filter.match, {
    listener: {
      name: "10.96.0.50_6380",
      filterChain: { filter: { name: "envoy.filters.network.tcp_proxy" } },
    },
  });
  assert.deepEqual(remove.match, { cluster: { name: "outbound|6380||r.redis.svc.cluster.local" } });
  assert.deepEqual(names(out.envoyFilters), [
    "aeraki-outbound-r.redis.svc.cluster.local-10.96.0.50-6380",
    "aeraki-outbound-r.redis.svc.cluster.local-10.96.0.51-6380",
    "aeraki-inbound-r.redis.svc.cluster.local-6380",
  ]);
  const inbound = patches(out.envoyFilters[2])[0].match as { listener: { filterChain: unknown } };
  assert.deepEqual(inbound.listener.filterChain, {
    destinationPort: 6380,
    filter: { name: "envoy.filters.network.tcp_proxy" },
  });
});

Deno.test("redisGenerator() leaves out the outbound filter when the auth Secret is missing", () => {
  const out = render(redisGenerator, contextOf({ ...e2e, secrets: [] }, CLUSTER), 6379);
  assert.deepEqual(names(out.envoyFilters), [`aeraki-inbound-${CLUSTER}-6379`]);
  assert.deepEqual(out.problems, [{
    object: "RedisService/redis/redis-cluster",
    field: "spec.settings.auth.secret.name",
    message:
      'Create the Secret "redis/redis-service-secret" or fix its name: the Redis password cannot be read',
  }]);
});

Deno.test("redisGenerator() leaves out the outbound filter when the RedisDestination's Secret is missing", () => {
  const rd = redisDestination("redis-single", {
    host: SINGLE,
    trafficPolicy: { connectionPool: { redis: { auth: { secret: { name: "nope" } } } } },
  });
  const out = render(
    redisGenerator,
    contextOf({ serviceEntries: [single], redisDestinations: [rd] }, SINGLE),
    6379,
  );
  assert.deepEqual(names(out.envoyFilters), [`aeraki-inbound-${SINGLE}-6379`]);
  assert.equal(out.problems.length, 1);
  assert.equal(out.problems[0].object, "RedisDestination/redis/redis-single");
  assert.equal(out.problems[0].field, "spec.trafficPolicy.connectionPool.redis.auth.secret.name");
});
