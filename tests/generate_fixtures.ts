/**
 * Inputs for generator tests and benchmarks: typed builders for the objects of control-plane
 * spec §4/§7 and a synthetic mesh of N MetaProtocol services.
 *
 * @module
 */
import type {
  DestinationRule,
  MeshConfig,
  MetaRoute,
  MetaRouter,
  ServiceEntry,
} from "../api/mod.ts";
import { EMPTY_SNAPSHOT, type MeshSnapshot } from "../operator/generate/mod.ts";

/** The e2e mesh config (spec §4): tracing at 100%, access log to stdout, default format. */
export const E2E_MESH: MeshConfig = {
  enableTracing: true,
  accessLogFile: "/dev/stdout",
  defaultConfig: { tracing: { sampling: 100 } },
};

/** A MetaProtocol ServiceEntry with one VIP and a workload selector. */
export function serviceEntry(i: number, ns = `ns${i % 50}`): ServiceEntry {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { name: `svc${i}`, namespace: ns },
    spec: {
      hosts: [`svc${i}.${ns}.svc.cluster.local`],
      addresses: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-hello", protocol: "TCP" }],
      resolution: "STATIC",
      workloadSelector: { labels: { app: `svc${i}` } },
    },
  };
}

/** A DestinationRule with subsets v1 and v2 and a consistent-hash key on v1. */
export function destinationRule(host: string, ns: string, name = host.split(".")[0]) {
  const rule: DestinationRule = {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "DestinationRule",
    metadata: { name, namespace: ns },
    spec: {
      host,
      subsets: [
        {
          name: "v1",
          labels: { version: "v1" },
          trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "method" } } },
        },
        { name: "v2", labels: { version: "v2" } },
      ],
    },
  };
  return rule;
}

/** A MetaRouter for `host` with `routes`. */
export function metaRouter(
  host: string,
  ns: string,
  routes: readonly MetaRoute[],
  extra: Partial<MetaRouter["spec"]> = {},
  name = host.split(".")[0],
): MetaRouter {
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name, namespace: ns },
    spec: { hosts: [host], routes: [...routes], ...extra },
  };
}

/** The 20/80 split of spec §1.2 for `host`, optionally tagged so edits change content. */
export function splitRoute(host: string, v1 = 20, tag = "sayHello"): MetaRoute {
  return {
    name: "traffic-split",
    match: { attributes: { method: { exact: tag } } },
    route: [
      { destination: { host, subset: "v1" }, weight: v1 },
      { destination: { host, subset: "v2" }, weight: 100 - v1 },
    ],
  };
}

/** A mesh of `n` MetaProtocol services, each with a DestinationRule and a MetaRouter. */
export function syntheticMesh(n: number): MeshSnapshot {
  const serviceEntries: ServiceEntry[] = [];
  const destinationRules: DestinationRule[] = [];
  const metaRouters: MetaRouter[] = [];
  for (let i = 0; i < n; i++) {
    const se = serviceEntry(i);
    const host = se.spec.hosts[0], ns = se.metadata.namespace ?? "";
    serviceEntries.push(se);
    destinationRules.push(destinationRule(host, ns));
    metaRouters.push(metaRouter(host, ns, [splitRoute(host)]));
  }
  return {
    ...EMPTY_SNAPSHOT,
    serviceEntries,
    destinationRules,
    metaRouters,
    meshConfig: E2E_MESH,
  };
}

/** `snapshot` with MetaRouter `i` replaced by one with a different split. */
export function withChangedRouter(snapshot: MeshSnapshot, i: number, v1: number): MeshSnapshot {
  const metaRouters = snapshot.metaRouters.slice();
  const old = metaRouters[i];
  const host = old.spec.hosts[0];
  metaRouters[i] = metaRouter(host, old.metadata.namespace ?? "", [splitRoute(host, v1)]);
  return { ...snapshot, metaRouters };
}
