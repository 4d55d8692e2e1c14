/**
 * A served snapshot cache for xDS server tests: a real gRPC server on a free loopback port, a
 * grpc-js test client, and fixture resources.
 *
 * @module
 */
import { lookupType } from "../proto/mod.ts";
import { SnapshotCache } from "../operator/xds/cache.ts";
import { startGrpcServer } from "../operator/xds/grpc_server.ts";
import { buildXdsSnapshot, type XdsResources, type XdsSnapshot } from "../operator/xds/snapshot.ts";
import { XdsStatus } from "../operator/xds/status.ts";
import type { AnyMessage } from "../operator/xds/_wire.ts";
import { XdsTestClient } from "./xds_client.ts";

/** A node as a sidecar names itself. */
export const NODE = { id: "sidecar~10.0.0.1~a.ns~ns.svc.cluster.local", cluster: "a" };

/** A route configuration `name` sending everything to `cluster`. */
export function route(name: string, cluster: string) {
  return {
    name,
    virtualHosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{ match: { prefix: "/" }, route: { cluster } }],
    }],
  };
}

/** An EDS cluster over ADS. */
export function cluster(name: string) {
  return { name, type: "EDS", edsClusterConfig: { edsConfig: { ads: {} }, serviceName: name } };
}

/** Clusters and routes a_9090 (to subset `tag`) and b_9090. */
export function resources(tag = "v1", clusters = ["c1", "c2"]): XdsResources {
  return {
    clusters: clusters.map(cluster),
    routeConfigurations: [
      route("a_9090", `outbound|9090|${tag}|a`),
      route("b_9090", "outbound|9090||b"),
    ],
  };
}

/** The names inside packed resources. */
export function names(anys: readonly AnyMessage[]): string[] {
  return anys.map((a) => {
    const decoded = lookupType(a.type_url)!.decode(a.value) as unknown as { name?: string };
    return decoded.name ?? "";
  });
}

/** Runs `test` against a fresh server and client, closing both after. */
export async function withServer(
  test: (ctx: {
    client: XdsTestClient;
    publish: (r: XdsResources) => XdsSnapshot;
    status: XdsStatus;
    logs: string[];
    port: number;
  }) => Promise<void>,
): Promise<void> {
  const cache = new SnapshotCache();
  const status = new XdsStatus();
  const logs: string[] = [];
  const server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    cache,
    status,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  let current = cache.get("");
  const publish = (r: XdsResources) => {
    current = buildXdsSnapshot(r, current);
    cache.set(current);
    return current;
  };
  const client = new XdsTestClient(`127.0.0.1:${server.port}`);
  try {
    await test({ client, publish, status, logs, port: server.port });
  } finally {
    client.close();
    await server.close();
  }
}
