/**
 * Redis behind the mesh: keys starting `cluster-` go to a Redis cluster (with the `cluster-`
 * prefix kept), all other keys to a single Redis that needs a password the sidecar supplies.
 * Clients authenticate to the sidecar with their own password. Mirrors upstream's Redis e2e.
 *
 * @module
 */
import { Chart } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { RedisDestination, RedisService } from "../constructs/mod.ts";

const NS = "redis";
const fq = (name: string) => `${name}.${NS}.svc.cluster.local`;

/** Builds the chart. */
export function redisRouting(scope: Construct): Chart {
  const chart = new Chart(scope, "redis-routing", {
    namespace: NS,
    disableResourceNameHashes: true,
  });
  for (const name of ["redis-single", "redis-cluster"]) {
    const svc = new kplus.Service(chart, name, {
      metadata: { name },
      ports: [{ name: "tcp-redis", port: 6379, targetPort: 6379 }],
    });
    svc.selectLabel("app", name);
  }
  new RedisService(chart, "routes", {
    metadata: { name: "redis-cluster" },
    spec: {
      host: [fq("redis-cluster")],
      settings: { auth: { plain: { password: "client-password" } }, opTimeout: "5s" },
      redis: [
        { match: { key: { prefix: "cluster-" } }, route: { host: fq("redis-cluster") } },
        { route: { host: fq("redis-single") } },
      ],
    },
  });
  new RedisDestination(chart, "cluster-mode", {
    metadata: { name: "redis-cluster" },
    spec: {
      host: fq("redis-cluster"),
      trafficPolicy: { connectionPool: { redis: { mode: "CLUSTER" } } },
    },
  });
  new RedisDestination(chart, "single-auth", {
    metadata: { name: "redis-single" },
    spec: {
      host: fq("redis-single"),
      trafficPolicy: {
        connectionPool: { redis: { auth: { secret: { name: "redis-single-password" } } } },
      },
    },
  });
  return chart;
}
