/**
 * `/config_dump`: the running configuration in Envoy's envelope (`configs[]` with `@type`),
 * in the runtime model's field names: listeners, clusters, and the MetaProtocol route dump
 * (`aeraki.meta_protocol_proxy.admin.v1alpha.RoutesConfigDump`, spec §2.3) with inline
 * tables as static and RDS tables as dynamic, carrying their xDS version, update time,
 * client status and last NACK.
 *
 * @module
 */
import type { ProxyModel, RouteTableModel } from "../config/model.ts";

const ADMIN = "type.googleapis.com/envoy.admin.v3.";

/** What the RDS client knows about one subscribed route table. */
export interface DynamicRouteStatus {
  readonly routeConfigName: string;
  /** Version of the last accepted table; absent until one arrived. */
  readonly versionInfo?: string;
  /** When the last accepted table arrived (ms since the epoch). */
  readonly lastUpdated?: number;
  /** `REQUESTED`, `ACKED`, `NACKED` or `DOES_NOT_EXIST`. */
  readonly clientStatus: string;
  /** The last rejected update, if the latest one was rejected. */
  readonly errorState?: {
    readonly details: string;
    readonly lastUpdateAttempt: number;
    readonly version: string;
  };
}

/** Inputs of {@linkcode renderConfigDump}. */
export interface ConfigDumpInputs {
  readonly model: ProxyModel;
  /** The tables the proxy routes with now, by name. */
  readonly tables: ReadonlyMap<string, RouteTableModel>;
  readonly rds: readonly DynamicRouteStatus[];
  /** When the static configuration was loaded (ms since the epoch). */
  readonly loadedAt: number;
}

function time(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Renders `/config_dump` as JSON text. */
export function renderConfigDump(inputs: ConfigDumpInputs): string {
  const { model, tables, rds } = inputs;
  const loaded = time(inputs.loadedAt);
  const rdsNames = new Set(rds.map((r) => r.routeConfigName));
  const staticRoutes = model.listeners.flatMap((l) =>
    l.route.kind === "inline" ? [l.route.table] : []
  );
  const dynamic = rds.map((r) => ({
    version_info: r.versionInfo,
    route_config: tables.get(r.routeConfigName),
    last_updated: time(r.lastUpdated),
    client_status: r.clientStatus,
    ...(r.errorState
      ? {
        error_state: {
          details: r.errorState.details,
          last_update_attempt: time(r.errorState.lastUpdateAttempt),
          version_info: r.errorState.version,
        },
      }
      : {}),
  }));
  const configs = [
    {
      "@type": `${ADMIN}BootstrapConfigDump`,
      bootstrap: { admin: model.admin },
      last_updated: loaded,
    },
    {
      "@type": `${ADMIN}ListenersConfigDump`,
      static_listeners: model.listeners.map((listener) => ({ listener, last_updated: loaded })),
    },
    {
      "@type": `${ADMIN}ClustersConfigDump`,
      static_clusters: model.clusters.map((cluster) => ({ cluster, last_updated: loaded })),
    },
    {
      "@type": "type.googleapis.com/aeraki.meta_protocol_proxy.admin.v1alpha.RoutesConfigDump",
      static_route_configs: staticRoutes
        .filter((t) => !rdsNames.has(t.name))
        .map((route_config) => ({ route_config, last_updated: loaded })),
      dynamic_route_configs: dynamic,
    },
  ];
  return JSON.stringify({ configs }, null, 2) + "\n";
}
