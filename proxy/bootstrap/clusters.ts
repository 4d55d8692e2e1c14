/**
 * Envoy `Cluster`s → the runtime model: STATIC, STRICT_DNS and EDS clusters with their
 * `load_assignment`, connect timeout, load-balancing policy, DEFAULT-priority circuit
 * breakers and consecutive-error outlier detection, with Envoy's defaults filled in.
 *
 * @module
 */
import type {
  CircuitBreakersModel,
  ClusterModel,
  EndpointModel,
  LbPolicy,
  OutlierDetectionModel,
} from "../config/model.ts";
import { type CompileContext, list, msg, num, str } from "./_context.ts";
import type { Plain } from "./_normalize.ts";

const TYPES = new Set(["STATIC", "STRICT_DNS", "EDS"]);
const LB = new Set(["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "RING_HASH", "MAGLEV"]);
const HEALTH: Readonly<Record<string, EndpointModel["health"]>> = {
  UNKNOWN: "unknown",
  HEALTHY: "healthy",
  UNHEALTHY: "unhealthy",
  DRAINING: "draining",
  TIMEOUT: "timeout",
  DEGRADED: "degraded",
};

/** A socket address `{address, port_value, protocol}`; problems when it is not TCP. */
export function socketAddress(
  ctx: CompileContext,
  address: Plain | undefined,
): { address: string; port: number } | undefined {
  const sa = msg(address, "socket_address");
  if (!sa) return ctx.problem(address, undefined, "Cannot use the address: set socket_address");
  const protocol = str(sa, "protocol") || "TCP";
  if (protocol !== "TCP") {
    return ctx.problem(sa, "protocol", `Cannot use protocol "${protocol}": only TCP is supported`);
  }
  const port = num(sa, "port_value") ?? 0;
  if (port > 65535) return ctx.problem(sa, "port_value", `Cannot use port ${port}: above 65535`);
  return { address: str(sa, "address"), port };
}

/**
 * Compiles a `ClusterLoadAssignment` (from the bootstrap, or decoded from EDS, where
 * `load_balancing_weight` is still a `{value}` wrapper) into endpoints of a `type` cluster.
 */
export function compileEndpoints(
  ctx: CompileContext,
  la: Plain | undefined,
  type: string,
): EndpointModel[] {
  const out: EndpointModel[] = [];
  for (const locality of list(la, "endpoints")) {
    const priority = num(locality, "priority") ?? 0;
    if (priority !== 0) {
      ctx.problem(
        locality,
        "priority",
        `Cannot use priority ${priority}: only priority 0 is supported`,
      );
      continue;
    }
    for (const lb of list(locality, "lb_endpoints")) {
      const addr = socketAddress(ctx, msg(msg(lb, "endpoint"), "address"));
      if (!addr) continue;
      if (type === "STATIC" && !/^[\d.]+$|:/.test(addr.address)) {
        ctx.problem(
          lb,
          "endpoint",
          `Cannot use host name "${addr.address}" in a STATIC cluster: use STRICT_DNS`,
        );
        continue;
      }
      out.push({
        ...addr,
        weight: num(lb, "load_balancing_weight") ??
          num(msg(lb, "load_balancing_weight"), "value") ?? 1,
        health: HEALTH[str(lb, "health_status") || "UNKNOWN"] ?? "unknown",
      });
    }
  }
  return out;
}

function circuitBreakers(
  ctx: CompileContext,
  cb: Plain | undefined,
): CircuitBreakersModel | undefined {
  let found: CircuitBreakersModel | undefined;
  for (const t of list(cb, "thresholds")) {
    if ((str(t, "priority") || "DEFAULT") !== "DEFAULT") {
      ctx.ignore(t, undefined, "only DEFAULT-priority thresholds apply: every request is DEFAULT");
      continue;
    }
    found = {
      maxConnections: num(t, "max_connections"),
      maxPendingRequests: num(t, "max_pending_requests"),
      maxRequests: num(t, "max_requests"),
      maxRetries: num(t, "max_retries"),
    };
  }
  return found;
}

function outlier(od: Plain | undefined): OutlierDetectionModel | undefined {
  if (!od) return undefined;
  return {
    consecutiveErrors: num(od, "consecutive_5xx") ?? 5,
    consecutiveLocalOriginFailures: num(od, "consecutive_local_origin_failure") ?? 5,
    intervalMs: num(od, "interval") ?? 10_000,
    baseEjectionTimeMs: num(od, "base_ejection_time") ?? 30_000,
    maxEjectionPercent: num(od, "max_ejection_percent") ?? 10,
  };
}

function lbExtras(ctx: CompileContext, c: Plain, lb: LbPolicy): Partial<ClusterModel> {
  const ring = msg(c, "ring_hash_lb_config");
  const hashFn = str(ring, "hash_function") || "XX_HASH";
  if (hashFn !== "XX_HASH") {
    ctx.problem(
      ring,
      "hash_function",
      `Cannot use hash function "${hashFn}": only XX_HASH is supported`,
    );
  }
  const out: { ringHash?: ClusterModel["ringHash"]; maglev?: ClusterModel["maglev"] } = {};
  if (lb === "RING_HASH") {
    out.ringHash = {
      minimumRingSize: num(ring, "minimum_ring_size") ?? 1024,
      maximumRingSize: num(ring, "maximum_ring_size") ?? 8_388_608,
    };
  }
  if (lb === "MAGLEV") {
    out.maglev = { tableSize: num(msg(c, "maglev_lb_config"), "table_size") ?? 65537 };
  }
  return out;
}

/** Compiles one cluster; `undefined` (with problems in `ctx`) when it cannot be used. */
export function compileCluster(ctx: CompileContext, c: Plain): ClusterModel | undefined {
  const name = str(c, "name");
  if (name === "") return ctx.problem(c, "name", "Cannot use a cluster without a name");
  const type = str(c, "type") || "STATIC";
  if (!TYPES.has(type)) {
    return ctx.problem(
      c,
      "type",
      `Cannot use cluster type "${type}": use STATIC, STRICT_DNS or EDS`,
    );
  }
  const lbPolicy = (str(c, "lb_policy") || "ROUND_ROBIN") as LbPolicy;
  if (!LB.has(lbPolicy)) {
    return ctx.problem(
      c,
      "lb_policy",
      `Cannot use lb_policy "${lbPolicy}": use ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV`,
    );
  }
  const eds = msg(c, "eds_cluster_config");
  if (type === "EDS" && !eds) {
    return ctx.problem(
      c,
      "eds_cluster_config",
      "Cannot use an EDS cluster without eds_cluster_config",
    );
  }
  const connect = num(c, "connect_timeout");
  return {
    name,
    type: type as ClusterModel["type"],
    endpoints: compileEndpoints(ctx, msg(c, "load_assignment"), type),
    connectTimeoutMs: connect ?? 5000,
    lbPolicy,
    ...lbExtras(ctx, c, lbPolicy),
    circuitBreakers: circuitBreakers(ctx, msg(c, "circuit_breakers")),
    outlierDetection: outlier(msg(c, "outlier_detection")),
    ...(eds ? { edsServiceName: str(eds, "service_name") || name } : {}),
  };
}
