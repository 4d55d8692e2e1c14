/**
 * The outbound cluster of a Redis port, replaced (REMOVE + ADD) so the proxy can use it
 * (control-plane spec §3.7): EDS with MAGLEV and wide-open circuit breakers; with a
 * RedisDestination for the service, CLUSTER mode (Envoy's `envoy.clusters.redis`), upstream
 * AUTH (`RedisProtocolOptions`), the TCP pool (connect timeout, max connections and — quirk
 * Q8, where upstream crashed — keepalive), Istio's service metadata and metadata-exchange
 * cluster filter, and plain-text transport (mTLS does not work with `redis_proxy`).
 *
 * @module
 */
import type { RedisDestination } from "../../../api/mod.ts";
import type { ServiceContext } from "../context.ts";
import { clusterName } from "../names.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";
import type { Json } from "./_shared.ts";
import { resolveAuth } from "./redis_auth.ts";
import { protoDuration, REDIS_FILTER } from "./redis_proxy.ts";

/** The type of the upstream options of the Redis proxy. */
export const REDIS_PROTOCOL_OPTIONS_TYPE_URL =
  "type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProtocolOptions";
/** Istio's TCP metadata-exchange cluster filter, as Istio (1.18) writes it. */
export function istioClusterMx(): Json {
  return {
    name: "istio.metadata_exchange",
    typedConfig: {
      "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
      typeUrl: "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
      value: { protocol: "istio-peer-exchange" },
    },
  };
}
const MAX_UINT32 = 4294967295;

type Pool = NonNullable<NonNullable<RedisDestination["spec"]["trafficPolicy"]>["connectionPool"]>;

function thresholds(maxConnections = MAX_UINT32): Json {
  return {
    circuitBreakers: {
      thresholds: [{
        maxConnections,
        maxPendingRequests: MAX_UINT32,
        maxRequests: MAX_UINT32,
        maxRetries: MAX_UINT32,
      }],
    },
  };
}

function baseCluster(name: string): Json {
  return {
    name,
    type: "EDS",
    edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: "V3" } },
    connectTimeout: "10s",
    lbPolicy: "MAGLEV",
    ...thresholds(),
  };
}

function endpoint(address: string, portValue: number): Json {
  return { endpoint: { address: { socketAddress: { address, portValue } } } };
}

/** CLUSTER mode: Envoy discovers the Redis cluster's topology from these seed endpoints. */
function redisClusterMode(
  rd: RedisDestination,
  name: string,
  port: number,
  problems: GenerateProblem[],
): Json {
  const seeds = (rd.spec.trafficPolicy?.connectionPool?.redis?.discoveryEndpoints ?? [])
    .flatMap((text, i) => {
      const at = text.lastIndexOf(":");
      const host = at < 0 ? text : text.slice(0, at);
      const p = at < 0 ? port : Number(text.slice(at + 1));
      if (host !== "" && Number.isInteger(p) && p > 0 && p <= 65535) return [endpoint(host, p)];
      problems.push({
        object: objectRef(rd),
        field: `spec.trafficPolicy.connectionPool.redis.discoveryEndpoints[${i}]`,
        message: `Write the endpoint as "host" or "host:port" with a port from 1 to 65535: got ${
          JSON.stringify(text)
        }`,
      });
      return [];
    });
  const lbEndpoints = seeds.length > 0 ? seeds : [endpoint(rd.spec.host, port)];
  return {
    clusterType: { name: "envoy.clusters.redis" },
    lbPolicy: "CLUSTER_PROVIDED",
    loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints }] },
  };
}

function seconds(text: string | undefined): number | undefined {
  const d = protoDuration(text);
  return d === undefined ? undefined : Math.floor(Number(d.slice(0, -1)));
}

/** The TCP pool: connect timeout, max connections and keepalive (upstream crashed on it, Q8). */
function tcpPool(tcp: NonNullable<Pool["tcp"]>): Json {
  const timeout = protoDuration(tcp.connectTimeout);
  const k = tcp.tcpKeepalive;
  const keepalive = k
    ? Object.fromEntries(
      [
        ["keepaliveProbes", k.probes || undefined],
        ["keepaliveTime", seconds(k.time)],
        ["keepaliveInterval", seconds(k.interval)],
      ].filter(([, v]) => v !== undefined),
    )
    : undefined;
  return {
    ...(timeout ? { connectTimeout: timeout } : {}),
    ...(tcp.maxConnections ? thresholds(tcp.maxConnections) : {}),
    ...(keepalive ? { upstreamConnectionOptions: { tcpKeepalive: keepalive } } : {}),
  };
}

/** The RedisDestination for the service: the first (by name) whose host is one of its hosts. */
export function findRedisDestination(ctx: ServiceContext): RedisDestination | undefined {
  const hosts = ctx.serviceEntry.spec.hosts;
  return ctx.redisDestinations.find((rd) => hosts.includes(rd.spec.host));
}

function istioExtras(ctx: ServiceContext, rd: RedisDestination, port: number): Json {
  const service = {
    host: rd.spec.host,
    name: ctx.serviceEntry.metadata.name.replace(/^synthetic-/, ""),
    namespace: ctx.namespace,
  };
  return {
    metadata: { filterMetadata: { istio: { default_original_port: port, services: [service] } } },
    filters: [istioClusterMx()],
    transportSocketMatches: [{
      name: "tlsMode-disabled",
      transportSocket: { name: "envoy.transport_sockets.raw_buffer" },
    }],
  };
}

/** The replacement cluster, or only problems when the upstream credentials cannot be read. */
export function redisCluster(
  ctx: ServiceContext,
  port: number,
): { cluster?: Json; problems: GenerateProblem[] } {
  const name = clusterName("outbound", port, "", ctx.host);
  const rd = findRedisDestination(ctx);
  const pool = rd?.spec.trafficPolicy?.connectionPool;
  if (!rd || !pool) return { cluster: baseCluster(name), problems: [] };
  const problems: GenerateProblem[] = [];
  const cluster: Json = { ...baseCluster(name) };
  if (pool.redis?.mode === "CLUSTER") {
    delete cluster.type;
    delete cluster.edsClusterConfig;
    Object.assign(cluster, redisClusterMode(rd, name, port, problems));
  }
  if (pool.redis?.auth) {
    const field = "spec.trafficPolicy.connectionPool.redis.auth";
    const { credentials, problem } = resolveAuth(ctx, pool.redis.auth, { object: rd, field });
    if (problem) return { problems: [problem] };
    cluster.typedExtensionProtocolOptions = {
      [REDIS_FILTER]: {
        "@type": REDIS_PROTOCOL_OPTIONS_TYPE_URL,
        ...(credentials?.password ? { authPassword: { inlineString: credentials.password } } : {}),
        ...(credentials?.username ? { authUsername: { inlineString: credentials.username } } : {}),
      },
    };
  }
  if (pool.tcp) Object.assign(cluster, tcpPool(pool.tcp));
  return { cluster: { ...cluster, ...istioExtras(ctx, rd, port) }, problems };
}

/** The REMOVE + ADD patches of the cluster (none when it cannot be built). */
export function redisClusterPatches(
  ctx: ServiceContext,
  port: number,
): { patches: Json[]; problems: GenerateProblem[] } {
  const { cluster, problems } = redisCluster(ctx, port);
  if (!cluster) return { patches: [], problems };
  return {
    patches: [
      {
        applyTo: "CLUSTER",
        match: { cluster: { name: cluster.name } },
        patch: { operation: "REMOVE" },
      },
      { applyTo: "CLUSTER", patch: { operation: "ADD", value: cluster } },
    ],
    problems,
  };
}
