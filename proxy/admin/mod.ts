/**
 * The proxy's admin server (Envoy's admin paths) and its renderers: stats as text, JSON and
 * Prometheus, cluster status, config dump.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { renderClustersJson, renderClustersText } from "./clusters.ts";
export { type ConfigDumpInputs, type DynamicRouteStatus, renderConfigDump } from "./config_dump.ts";
export { type ParsedName, parseStatName, renderPrometheus, type StatNames } from "./prometheus.ts";
export {
  type AdminOptions,
  type AdminServer,
  handleAdmin,
  startAdmin,
  statNames,
} from "./server.ts";
export { quantile, renderStatsJson, renderStatsText, type StatsQuery } from "./stats.ts";
