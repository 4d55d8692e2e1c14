/**
 * The `MetaProtocolProxy` network filter values (control-plane spec §3.2): outbound with RDS (or
 * inline routes in static mode), inbound with a static route to the local workload and the
 * rate-limit filters first. Values are proto3 JSON of `aeraki.meta_protocol_proxy.v1alpha`.
 *
 * @module
 */
import type { MeshConfig } from "../../../api/mod.ts";
import { ISTIO_STATS_TYPE_URL, META_PROTOCOL_PROXY_TYPE_URL } from "../../../proto/type_urls.ts";
import type { NetworkFilter } from "../envelope.ts";
import { clusterName } from "../names.ts";
import { buildAccessLog, buildTracing } from "./observability.ts";
import type { MetaProtocolFilter } from "./rate_limit.ts";
import type { MetaRouteConfiguration } from "./routes.ts";

/** The network filter name Aeraki gives the MetaProtocol proxy. */
export const META_PROTOCOL_PROXY_FILTER = "envoy.filters.network.meta_protocol_proxy";
/** The xDS cluster sidecars reach the operator's RDS server through (upstream hard-codes it). */
export const AERAKI_XDS_CLUSTER = "aeraki-xds";

/** What every MetaProtocol proxy value is built from. */
export interface ProxyParams {
  /** The service host. */
  readonly host: string;
  /** The service port. */
  readonly port: number;
  /** The application protocol named by the port (`thrift`). */
  readonly applicationProtocol: string;
  /** The codec of the application protocol. */
  readonly codec: string;
  /** Istio's mesh config (tracing and access log). */
  readonly meshConfig?: MeshConfig;
  /** The root namespace, to name the mesh config in problems. */
  readonly rootNamespace: string;
}

/** `metadata_exchange`, `istio_stats` for `host` and `router`: the end of every chain. */
export function standardFilters(host: string): MetaProtocolFilter[] {
  return [
    { name: "aeraki.meta_protocol.filters.metadata_exchange" },
    {
      name: "aeraki.meta_protocol.filters.istio_stats",
      config: { "@type": ISTIO_STATS_TYPE_URL, destinationService: host },
    },
    { name: "aeraki.meta_protocol.filters.router" },
  ];
}

interface Observability {
  readonly tracing?: Record<string, unknown>;
  readonly accessLog: Record<string, unknown>[];
}

const observed = new WeakMap<MeshConfig, Map<string, Observability>>();
const NO_MESH_CONFIG: MeshConfig = {};

/** Tracing and access log of a mesh config, computed once per config object. */
function observability(mesh: MeshConfig | undefined, rootNamespace: string): Observability {
  const key = mesh ?? NO_MESH_CONFIG;
  let byRoot = observed.get(key);
  if (!byRoot) observed.set(key, byRoot = new Map());
  let found = byRoot.get(rootNamespace);
  if (!found) {
    found = {
      tracing: buildTracing(mesh),
      accessLog: buildAccessLog(mesh, rootNamespace).accessLog,
    };
    byRoot.set(rootNamespace, found);
  }
  return found;
}

function proxyValue(
  p: ProxyParams,
  statPrefix: string,
  routes: Record<string, unknown>,
  filters: MetaProtocolFilter[],
): Record<string, unknown> {
  const { tracing, accessLog } = observability(p.meshConfig, p.rootNamespace);
  return {
    statPrefix,
    applicationProtocol: p.applicationProtocol,
    ...routes,
    codec: { name: p.codec },
    metaProtocolFilters: filters,
    ...(tracing ? { tracing } : {}),
    ...(accessLog.length > 0 ? { accessLog } : {}),
  };
}

function networkFilter(value: Record<string, unknown>): NetworkFilter {
  return { name: META_PROTOCOL_PROXY_FILTER, typeUrl: META_PROTOCOL_PROXY_TYPE_URL, value };
}

/** The RDS block: routes `routeConfigName` from cluster `aeraki-xds` over gRPC, v3. */
export function rdsConfig(routeConfigName: string): Record<string, unknown> {
  return {
    rds: {
      configSource: {
        apiConfigSource: {
          apiType: "GRPC",
          transportApiVersion: "V3",
          grpcServices: [{ envoyGrpc: { clusterName: AERAKI_XDS_CLUSTER } }],
        },
        resourceApiVersion: "V3",
      },
      routeConfigName,
    },
  };
}

/**
 * The outbound proxy: stat prefix `outbound|<port>||<host>`, routes over RDS by name or, when
 * `inline` is given, the route configuration itself (static mode).
 */
export function buildOutboundProxy(
  p: ProxyParams,
  routes: { readonly rds: string } | { readonly inline: MetaRouteConfiguration },
): NetworkFilter {
  const routeSpec = "rds" in routes ? rdsConfig(routes.rds) : { routeConfig: routes.inline };
  const statPrefix = clusterName("outbound", p.port, "", p.host);
  return networkFilter(proxyValue(p, statPrefix, routeSpec, standardFilters(p.host)));
}

/**
 * The inbound proxy: stat prefix and a single static route to `inbound|<port>||`, with the
 * rate-limit filters (if any) before the standard ones, so limits apply on the server side.
 */
export function buildInboundProxy(
  p: ProxyParams,
  rateLimits: readonly MetaProtocolFilter[],
): NetworkFilter {
  const inbound = clusterName("inbound", p.port);
  const routeConfig = { name: inbound, routes: [{ route: { cluster: inbound } }] };
  const filters = [...rateLimits, ...standardFilters(p.host)];
  return networkFilter(proxyValue(p, inbound, { routeConfig }, filters));
}
