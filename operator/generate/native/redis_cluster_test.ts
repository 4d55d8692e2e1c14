import assert from "node:assert/strict";
import {
  assertEnvoyConfig,
  assertEnvoyFilterPatch,
  validateEnvoyFilterPatch,
} from "../../../tests/envoy_proto.ts";
import { contextOf, redisDestination, render, serviceEntry } from "./_helpers_test.ts";
import { redisGenerator } from "./redis.ts";
import { istioClusterMx, redisCluster } from "./redis_cluster.ts";

const HOST = "cache.redis.svc.cluster.local";
const se = serviceEntry("synthetic-cache", "redis", {
  hosts: [HOST],
  addresses: ["10.96.2.1"],
  ports: [{ number: 6379, name: "tcp-redis" }],
});
type Pool = NonNullable<
  NonNullable<Parameters<typeof redisDestination>[1]["trafficPolicy"]>["connectionPool"]
>;

function clusterFor(pool: Pool) {
  const rd = redisDestination("cache", { host: HOST, trafficPolicy: { connectionPool: pool } });
  const ctx = contextOf({
    serviceEntries: [se],
    redisDestinations: [rd],
    secrets: [{
      metadata: { name: "auth", namespace: "redis" },
      stringData: { password: "pw", username: "u" },
    }],
  }, HOST);
  // Every case also goes through the generator, so its patches are schema-checked.
  render(redisGenerator, ctx, 6379);
  return redisCluster(ctx, 6379);
}

Deno.test("redisCluster() maps the TCP pool, keepalive included (Q8)", () => {
  const { cluster, problems } = clusterFor({
    tcp: {
      maxConnections: 100,
      connectTimeout: "250ms",
      tcpKeepalive: { probes: 3, time: "7200s", interval: "1m15.5s" },
    },
  });
  assert.deepEqual(problems, []);
  assert.equal(cluster?.connectTimeout, "0.250s");
  assert.deepEqual(cluster?.circuitBreakers, {
    thresholds: [{
      maxConnections: 100,
      maxPendingRequests: 4294967295,
      maxRequests: 4294967295,
      maxRetries: 4294967295,
    }],
  });
  assert.deepEqual(cluster?.upstreamConnectionOptions, {
    tcpKeepalive: { keepaliveProbes: 3, keepaliveTime: 7200, keepaliveInterval: 75 },
  });
  assert.equal(cluster?.type, "EDS");
  assert.deepEqual(cluster?.metadata as Record<string, unknown>, {
    filterMetadata: {
      istio: {
        default_original_port: 6379,
        services: [{ host: HOST, name: "cache", namespace: "redis" }],
      },
    },
  });
});

Deno.test("redisCluster() seeds CLUSTER mode from discovery endpoints, default port the listener's", () => {
  const { cluster, problems } = clusterFor({
    redis: { mode: "CLUSTER", discoveryEndpoints: ["10.0.0.1:7000", "seed.redis", "bad:99999"] },
  });
  assert.deepEqual(problems.map((p) => [p.object, p.field]), [
    [
      "RedisDestination/redis/cache",
      "spec.trafficPolicy.connectionPool.redis.discoveryEndpoints[2]",
    ],
  ]);
  assert.deepEqual(cluster?.loadAssignment, {
    clusterName: `outbound|6379||${HOST}`,
    endpoints: [{
      lbEndpoints: [
        { endpoint: { address: { socketAddress: { address: "10.0.0.1", portValue: 7000 } } } },
        { endpoint: { address: { socketAddress: { address: "seed.redis", portValue: 6379 } } } },
      ],
    }],
  });
  assert.equal(cluster?.type, undefined);
  assert.equal(cluster?.edsClusterConfig, undefined);
  assert.deepEqual(cluster?.clusterType, { name: "envoy.clusters.redis" });
  assert.equal(cluster?.lbPolicy, "CLUSTER_PROVIDED");
});

Deno.test("redisCluster() writes upstream username and password from a Secret", () => {
  const { cluster } = clusterFor({ redis: { auth: { secret: { name: "auth" } } } });
  const options = (cluster?.typedExtensionProtocolOptions as Record<string, unknown>)[
    "envoy.filters.network.redis_proxy"
  ];
  assert.deepEqual(options, {
    "@type":
      "type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProtocolOptions",
    authPassword: { inlineString: "pw" },
    authUsername: { inlineString: "u" },
  });
  assertEnvoyConfig("google.protobuf.Any", options);
});

Deno.test("redisCluster() adds Istio's metadata-exchange filter as Istio writes it", () => {
  const { cluster } = clusterFor({ redis: { mode: "PROXY" } });
  assert.deepEqual(cluster?.filters, [istioClusterMx()]);
  // Checked against Istio's MetadataExchange proto, like the rest of the cluster.
  assertEnvoyFilterPatch(cluster, { applyTo: "CLUSTER" });
  const typedConfig = { ...(istioClusterMx().typedConfig as object), value: { protocl: "x" } };
  const bad = { ...cluster, filters: [{ ...istioClusterMx(), typedConfig }] };
  assert.equal(validateEnvoyFilterPatch(bad, { applyTo: "CLUSTER" }).ok, false);
});
