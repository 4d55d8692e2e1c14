/**
 * `/clusters` in Envoy's text form (`cluster::host::stat::value` lines, with circuit-breaker
 * settings and health flags) and JSON form (`?format=json`).
 *
 * @module
 */
import type { ClusterModel, EndpointStatus } from "../config/model.ts";

function healthFlags(e: EndpointStatus): string {
  const flags: string[] = [];
  if (e.health === "unhealthy" || e.health === "timeout") flags.push("/failed_eds_health");
  if (e.health === "draining") flags.push("/pending_dynamic_removal");
  if (e.health === "degraded") flags.push("/degraded_eds_health");
  if (e.ejected) flags.push("/failed_outlier_check");
  return flags.length === 0 ? "healthy" : flags.join("");
}

/** `/clusters` text. */
export function renderClustersText(
  models: readonly ClusterModel[],
  status: ReadonlyMap<string, readonly EndpointStatus[]>,
): string {
  let out = "";
  for (const c of models) {
    const cb = c.circuitBreakers ?? {};
    const p = `${c.name}::`;
    out += `${p}default_priority::max_connections::${cb.maxConnections ?? 1024}\n`;
    out += `${p}default_priority::max_pending_requests::${cb.maxPendingRequests ?? 1024}\n`;
    out += `${p}default_priority::max_requests::${cb.maxRequests ?? 1024}\n`;
    out += `${p}default_priority::max_retries::${cb.maxRetries ?? 3}\n`;
    out += `${p}added_via_api::${c.type === "EDS"}\n`;
    for (const e of status.get(c.name) ?? []) {
      const h = `${p}${e.address}:${e.port}::`;
      out += `${h}cx_active::${e.activeConnections}\n${h}rq_active::${e.activeRequests}\n`;
      out += `${h}health_flags::${healthFlags(e)}\n${h}weight::${e.weight}\n`;
    }
  }
  return out;
}

/** `/clusters?format=json` (Envoy's `cluster_statuses` shape). */
export function renderClustersJson(
  models: readonly ClusterModel[],
  status: ReadonlyMap<string, readonly EndpointStatus[]>,
): string {
  const cluster_statuses = models.map((c) => ({
    name: c.name,
    added_via_api: c.type === "EDS",
    host_statuses: (status.get(c.name) ?? []).map((e) => ({
      address: { socket_address: { address: e.address, port_value: e.port } },
      stats: [
        { name: "cx_active", type: "GAUGE", value: e.activeConnections },
        { name: "rq_active", type: "GAUGE", value: e.activeRequests },
      ],
      health_status: {
        eds_health_status: e.health.toUpperCase(),
        failed_outlier_check: e.ejected,
      },
      weight: e.weight,
    })),
  }));
  return JSON.stringify({ cluster_statuses }, null, 2) + "\n";
}
