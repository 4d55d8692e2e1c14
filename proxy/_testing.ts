/**
 * Test helpers: small runtime models for tests of the proxy core.
 *
 * @module
 */
import type {
  ClusterModel,
  ListenerModel,
  ProxyHandle,
  ProxyModel,
  RouteModel,
} from "./config/model.ts";
import { startProxy } from "./proxy.ts";

/** A cluster of loopback endpoints on `ports`. */
export function testCluster(
  name: string,
  ports: readonly number[],
  more: Partial<ClusterModel> = {},
): ClusterModel {
  return {
    name,
    type: "STATIC",
    endpoints: ports.map((port) => ({ address: "127.0.0.1", port, weight: 1, health: "healthy" })),
    connectTimeoutMs: 1000,
    lbPolicy: "ROUND_ROBIN",
    ...more,
  };
}

/** A route to `cluster` matching `match` (exact values), with optional extras. */
export function testRoute(
  cluster: string,
  match: Record<string, string> = {},
  more: Partial<Omit<RouteModel, "action">> & { action?: Partial<RouteModel["action"]> } = {},
): RouteModel {
  return {
    name: more.name ?? `to-${cluster}`,
    match: Object.entries(match).map(([name, value]) => ({
      name,
      match: { kind: "exact", value },
    })),
    requestMutation: more.requestMutation ?? [],
    responseMutation: more.responseMutation ?? [],
    action: {
      target: { kind: "cluster", name: cluster },
      hashPolicy: [],
      mirrors: [],
      ...more.action,
    },
  };
}

/** A one-listener model on a free loopback port. */
export function testModel(
  codec: string,
  protocol: string,
  routes: readonly RouteModel[],
  clusters: readonly ClusterModel[],
  more: Partial<ListenerModel> = {},
): ProxyModel {
  return {
    listeners: [{
      name: "test",
      address: "127.0.0.1",
      port: 0,
      codec,
      protocol,
      statPrefix: "test",
      multiplexing: false,
      route: { kind: "inline", table: { name: "test-routes", routes } },
      filters: [{ kind: "router" }],
      accessLogs: [],
      ...more,
    }],
    clusters,
  };
}

/** Runs `body` against a Thrift proxy of `routes` and `clusters`, closed afterwards. */
export async function withThriftProxy(
  routes: RouteModel[],
  clusters: ClusterModel[],
  body: (proxy: ProxyHandle, port: number) => Promise<void>,
  multiplexing: boolean,
): Promise<void> {
  const proxy = await startProxy(
    testModel("aeraki.meta_protocol.codec.thrift", "thrift", routes, clusters, { multiplexing }),
  );
  try {
    await body(proxy, proxy.ports.get("test")!);
  } finally {
    await proxy.close();
  }
}
