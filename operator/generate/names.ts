/**
 * The names Istio and Aeraki give to clusters, listeners, route configurations and generated
 * objects (control-plane spec §3.1, §9). Everything else builds names through here.
 *
 * @module
 */

/** Traffic direction of a sidecar listener. */
export type Direction = "outbound" | "inbound";

/**
 * Istio's cluster name: `outbound|<port>|<subset>|<host>`; inbound clusters drop the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clusterName } from "./names.ts";
 * assert.equal(
 *   clusterName("outbound", 9090, "v1", "a.ns.svc.cluster.local"),
 *   "outbound|9090|v1|a.ns.svc.cluster.local",
 * );
 * assert.equal(clusterName("inbound", 9090), "inbound|9090||");
 * ```
 */
export function clusterName(direction: Direction, port: number, subset = "", host = ""): string {
  return direction === "inbound" ? `inbound|${port}||` : `outbound|${port}|${subset}|${host}`;
}

/** The MetaProtocol route configuration name served over RDS: `<host>_<port>`. */
export function routeConfigName(host: string, port: number): string {
  return `${host}_${port}`;
}

/** Istio's outbound TCP listener name for a VIP: `<vip>_<port>`. */
export function outboundListenerName(vip: string, port: number): string {
  return `${vip}_${port}`;
}

/** Name of the outbound EnvoyFilter of one VIP and port. */
export function outboundFilterName(host: string, vip: string, port: number): string {
  return `aeraki-outbound-${host}-${vip}-${port}`;
}

/** Name of the inbound EnvoyFilter of one service port. */
export function inboundFilterName(host: string, port: number): string {
  return `aeraki-inbound-${host}-${port}`;
}

/** Name of the EnvoyFilter of a MetaProtocol server on an Istio gateway. */
export function gatewayFilterName(gateway: string, gatewayNamespace: string, port: number): string {
  return `aeraki-gateway-outbound-${gateway}.${gatewayNamespace}-${port}`;
}

/** Name of the VirtualService that opens a gateway's TCP listener for a MetaProtocol server. */
export function gatewayVirtualServiceName(
  gateway: string,
  gatewayNamespace: string,
  port: number,
): string {
  return `aeraki-vs-${gatewayNamespace}.${gateway}-${port}`;
}

/** The label every generated object carries, so the operator owns exactly those. */
export const MANAGED_BY = { manager: "Aeraki" } as const;

/**
 * Expands a short host (no dot) to `<name>.<namespace>.svc.<domain>`; FQDNs are kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fqdn } from "./names.ts";
 * assert.equal(fqdn("reviews", "default"), "reviews.default.svc.cluster.local");
 * assert.equal(fqdn("reviews.other", "default"), "reviews.other");
 * ```
 */
export function fqdn(host: string, namespace: string, domain = "cluster.local"): string {
  return host.includes(".") ? host : `${host}.${namespace}.svc.${domain}`;
}
