/**
 * The xDS resources one service gives our proxy: a cluster per `outbound|<port>|<subset>|<host>`
 * (and the subset-less one) for every port, their endpoints, and a listener per VIP and
 * MetaProtocol port running the MetaProtocol filter with routes `<host>_<port>` over ADS.
 * Values are Envoy v3 proto3 JSON.
 *
 * @module
 */
import {
  type DestinationRule,
  type IstioPort,
  protocolFromPortName,
  type ServiceEntry,
} from "../../../api/mod.ts";
import { META_PROTOCOL_PROXY_TYPE_URL } from "../../../proto/type_urls.ts";
import { resolveProtocol } from "../metaprotocol/generator.ts";
import { buildOutboundProxy, META_PROTOCOL_PROXY_FILTER } from "../metaprotocol/proxy.ts";
import { clusterName, outboundListenerName, routeConfigName } from "../names.ts";
import type { ServiceIndex } from "../service_index.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";
import {
  buildLoadAssignment,
  type EndpointDraft,
  type KubeEndpoints,
  serviceEntryEndpoints,
} from "./endpoints.ts";
import { buildClusterPolicy, effectivePolicy } from "./traffic_policy.ts";

/** An Envoy resource with a name (Listener, Cluster, RouteConfiguration), as proto3 JSON. */
export type NamedResource = Readonly<Record<string, unknown>> & { readonly name: string };
/** An Envoy `ClusterLoadAssignment` as proto3 JSON. */
export type LoadAssignment = Readonly<Record<string, unknown>> & { readonly clusterName: string };

/** What one service contributes. */
export interface ServiceResources {
  readonly listeners: readonly NamedResource[];
  readonly clusters: readonly NamedResource[];
  readonly loadAssignments: readonly LoadAssignment[];
  readonly problems: readonly GenerateProblem[];
}

/** The config source that makes a resource come over the proxy's ADS stream. */
export const ADS_CONFIG_SOURCE = { ads: {}, resourceApiVersion: "V3" } as const;

function endpointsOf(
  se: ServiceEntry,
  port: IstioPort,
  kube: KubeEndpoints,
): { endpoints: EndpointDraft[]; problems: GenerateProblem[] } {
  if (se.spec.endpoints !== undefined) return serviceEntryEndpoints(se, port);
  return { endpoints: kube.endpoints(se.spec.hosts[0], port), problems: [] };
}

function dnsEndpoints(se: ServiceEntry, port: IstioPort, found: EndpointDraft[]): EndpointDraft[] {
  if (found.length > 0) return found;
  return [{ address: se.spec.hosts[0], port: port.number, labels: {} }];
}

function portClusters(
  se: ServiceEntry,
  port: IstioPort,
  rule: DestinationRule | undefined,
  kube: KubeEndpoints,
  out: {
    clusters: NamedResource[];
    loadAssignments: LoadAssignment[];
    problems: GenerateProblem[];
  },
): void {
  const host = se.spec.hosts[0];
  const found = endpointsOf(se, port, kube);
  out.problems.push(...found.problems);
  const dns = se.spec.resolution === "DNS" || se.spec.resolution === "DNS_ROUND_ROBIN";
  const subsets = [{ name: "", labels: undefined }, ...(rule?.spec.subsets ?? [])];
  for (const subset of subsets) {
    const name = clusterName("outbound", port.number, subset.name, host);
    const policy = buildClusterPolicy(rule, effectivePolicy(rule, subset.name, port.number));
    out.problems.push(...policy.problems);
    if (dns) {
      const endpoints = dnsEndpoints(se, port, found.endpoints);
      out.clusters.push({
        name,
        type: se.spec.resolution === "DNS" ? "STRICT_DNS" : "LOGICAL_DNS",
        loadAssignment: buildLoadAssignment(name, endpoints, subset.labels),
        ...policy.fields,
      });
      continue;
    }
    out.clusters.push({
      name,
      type: "EDS",
      edsClusterConfig: { edsConfig: ADS_CONFIG_SOURCE, serviceName: name },
      ...policy.fields,
    });
    out.loadAssignments.push(buildLoadAssignment(name, found.endpoints, subset.labels));
  }
}

function listenersOf(
  se: ServiceEntry,
  index: ServiceIndex,
  problems: GenerateProblem[],
): NamedResource[] {
  const host = se.spec.hosts[0];
  const listeners: NamedResource[] = [];
  (se.spec.ports ?? []).forEach((port, i) => {
    if (protocolFromPortName(port.name ?? "") !== "metaprotocol") return;
    const resolved = resolveProtocol(port, (p) => index.codecFor(p));
    if ("message" in resolved) {
      problems.push({
        object: objectRef(se),
        field: `spec.ports[${i}].name`,
        message: resolved.message,
      });
      return;
    }
    const routes = routeConfigName(host, port.number);
    const meshConfig = index.snapshot.meshConfig;
    const proxy = buildOutboundProxy({
      host,
      port: port.number,
      ...resolved,
      ...(meshConfig ? { meshConfig } : {}),
      rootNamespace: index.options.rootNamespace,
    }, { rds: routes });
    const typedConfig = {
      "@type": META_PROTOCOL_PROXY_TYPE_URL,
      ...proxy.value,
      rds: { configSource: ADS_CONFIG_SOURCE, routeConfigName: routes },
    };
    for (const vip of se.spec.addresses ?? []) {
      listeners.push({
        name: outboundListenerName(vip, port.number),
        address: { socketAddress: { address: vip, portValue: port.number } },
        trafficDirection: "OUTBOUND",
        filterChains: [{ filters: [{ name: META_PROTOCOL_PROXY_FILTER, typedConfig }] }],
      });
    }
  });
  return listeners;
}

/**
 * The listeners, clusters and endpoints of one ServiceEntry (whose `hosts[0]` is set). Never
 * throws; a bad field is a problem and the rest is generated.
 */
export function buildServiceResources(
  se: ServiceEntry,
  index: ServiceIndex,
  kube: KubeEndpoints,
): ServiceResources {
  const host = se.spec.hosts[0];
  const rule = index.destinationRuleFor(host, se.metadata.namespace ?? "");
  const out = {
    clusters: [] as NamedResource[],
    loadAssignments: [] as LoadAssignment[],
    problems: [] as GenerateProblem[],
  };
  for (const port of se.spec.ports ?? []) portClusters(se, port, rule, kube, out);
  const listeners = listenersOf(se, index, out.problems);
  return { listeners, ...out };
}
