/**
 * Loader policy (see `_policy.ts`) for clusters, endpoints, access logs and tracing.
 *
 * @module
 */
import { type FieldRule, ignore, U } from "./_policy_rules.ts";

const STATS = ignore("stats are kept under their full names; no tags, sinks or matchers");
const OS = ignore("socket and process tuning is left to the operating system");
const DNS = ignore("host names are resolved with the system resolver when connecting");
const DESCRIPTIVE = ignore("descriptive only");
const HTTP_OPTS = ignore(
  "gRPC clusters always speak HTTP/2 and data clusters carry the application protocol",
);

/** Access loggers and tracing. */
export const observability: Record<string, Record<string, FieldRule>> = {
  "envoy.config.accesslog.v3.AccessLog": { name: U, typed_config: U },
  "envoy.extensions.access_loggers.file.v3.FileAccessLog": {
    path: U,
    log_format: U,
    format: U,
    json_format: U,
    typed_json_format: U,
  },
  "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog": { log_format: U },
  "envoy.extensions.access_loggers.stream.v3.StderrAccessLog": { log_format: U },
  "envoy.config.core.v3.SubstitutionFormatString": {
    text_format: U,
    json_format: U,
    text_format_source: U,
    omit_empty_values: U,
    content_type: ignore("entries are written to files, not served"),
    json_format_options: ignore("JSON keys are written in configuration order"),
  },
  "envoy.config.core.v3.DataSource": { inline_string: U, inline_bytes: U, filename: U },
  "envoy.config.trace.v3.Tracing": { http: U },
  "envoy.config.trace.v3.Tracing.Http": { name: U, typed_config: U },
  "envoy.config.trace.v3.ZipkinConfig": {
    collector_cluster: U,
    collector_endpoint: U,
    trace_id_128bit: U,
    shared_span_context: U,
    collector_endpoint_version: U,
    collector_hostname: U,
    split_spans_for_request: ignore("one span is reported per request"),
  },
};

/** Clusters and endpoints. */
export const clusters: Record<string, Record<string, FieldRule>> = {
  "envoy.config.cluster.v3.Cluster": {
    name: U,
    type: U,
    connect_timeout: U,
    lb_policy: U,
    load_assignment: U,
    circuit_breakers: U,
    outlier_detection: U,
    eds_cluster_config: U,
    ring_hash_lb_config: U,
    maglev_lb_config: U,
    alt_stat_name: STATS,
    track_cluster_stats: STATS,
    track_timeout_budgets: STATS,
    metadata: DESCRIPTIVE,
    http2_protocol_options: HTTP_OPTS,
    http_protocol_options: HTTP_OPTS,
    common_http_protocol_options: HTTP_OPTS,
    upstream_http_protocol_options: HTTP_OPTS,
    typed_extension_protocol_options: HTTP_OPTS,
    protocol_selection: HTTP_OPTS,
    max_requests_per_connection: ignore(
      "upstream connections are pooled per the listener's multiplexing setting",
    ),
    per_connection_buffer_limit_bytes: ignore("buffers are bounded by the proxy's own watermarks"),
    upstream_connection_options: OS,
    dns_refresh_rate: DNS,
    dns_failure_refresh_rate: DNS,
    respect_dns_ttl: DNS,
    dns_lookup_family: DNS,
    dns_resolvers: DNS,
    use_tcp_for_dns_lookups: DNS,
    dns_resolution_config: DNS,
    typed_dns_resolver_config: DNS,
    wait_for_warm_on_init: ignore("clusters are ready at start"),
    cleanup_interval: DESCRIPTIVE,
    common_lb_config: ignore("there is no panic threshold or locality weighting"),
    least_request_lb_config: ignore("LEAST_REQUEST compares two random endpoints"),
    round_robin_lb_config: DESCRIPTIVE,
    close_connections_on_host_health_failure: ignore("there is no active health checking"),
    ignore_health_on_host_removal: ignore("there is no active health checking"),
    preconnect_policy: ignore("upstream connections are opened on demand"),
  },
  "envoy.config.cluster.v3.Cluster.EdsClusterConfig": { eds_config: U, service_name: U },
  "envoy.config.cluster.v3.Cluster.RingHashLbConfig": {
    minimum_ring_size: U,
    maximum_ring_size: U,
    hash_function: U,
  },
  "envoy.config.cluster.v3.Cluster.MaglevLbConfig": { table_size: U },
  "envoy.config.endpoint.v3.ClusterLoadAssignment": {
    cluster_name: U,
    endpoints: U,
    policy: ignore("there is no overprovisioning or drop policy"),
  },
  "envoy.config.endpoint.v3.LocalityLbEndpoints": {
    lb_endpoints: U,
    priority: U,
    locality: DESCRIPTIVE,
    metadata: DESCRIPTIVE,
    load_balancing_weight: ignore("there is no locality-weighted balancing"),
    proximity: ignore("there is no locality-weighted balancing"),
  },
  "envoy.config.endpoint.v3.LbEndpoint": {
    endpoint: U,
    health_status: U,
    load_balancing_weight: U,
    metadata: DESCRIPTIVE,
  },
  "envoy.config.endpoint.v3.Endpoint": {
    address: U,
    hostname: DESCRIPTIVE,
    health_check_config: ignore("there is no active health checking"),
  },
  "envoy.config.cluster.v3.CircuitBreakers": { thresholds: U },
  "envoy.config.cluster.v3.CircuitBreakers.Thresholds": {
    priority: U,
    max_connections: U,
    max_pending_requests: U,
    max_requests: U,
    max_retries: U,
    track_remaining: STATS,
    max_connection_pools: ignore("there is one connection pool per endpoint"),
  },
  "envoy.config.cluster.v3.OutlierDetection": {
    consecutive_5xx: U,
    consecutive_local_origin_failure: U,
    interval: U,
    base_ejection_time: U,
    max_ejection_percent: U,
  },
};
