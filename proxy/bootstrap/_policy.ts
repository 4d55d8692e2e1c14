/**
 * Which fields of each Envoy/Aeraki message the bootstrap loader takes. Per message type,
 * a field is either used (`U`), or ignored with the reason shown to the user (it has no
 * effect on this proxy). A set field that is not listed is refused: we do not implement it,
 * and silently dropping it would change what the user asked for.
 *
 * @module
 */
import { clusters, observability } from "./_policy_clusters.ts";
import { type FieldRule, ignore, type Policy, U } from "./_policy_rules.ts";

export { type FieldRule, type Policy, U } from "./_policy_rules.ts";

const STATS = ignore("stats are kept under their full names; no tags, sinks or matchers");
const NO_RUNTIME = ignore("there is no runtime layer: defaults apply");
const OS = ignore("socket and process tuning is left to the operating system");
const DNS = ignore("host names are resolved with the system resolver when connecting");
const DESCRIPTIVE = ignore("descriptive only");

const bootstrap: Record<string, Record<string, FieldRule>> = {
  "envoy.config.bootstrap.v3.Bootstrap": {
    node: U,
    static_resources: U,
    dynamic_resources: U,
    admin: U,
    tracing: U,
    stats_config: STATS,
    stats_sinks: STATS,
    stats_flush_interval: STATS,
    stats_flush_on_admin: STATS,
    deferred_stat_options: STATS,
    stats_server_version_override: STATS,
    layered_runtime: NO_RUNTIME,
    overload_manager: ignore(
      "overload actions are not implemented; memory is bounded per connection",
    ),
    watchdog: OS,
    watchdogs: OS,
    enable_dispatcher_stats: STATS,
    header_prefix: DESCRIPTIVE,
    use_tcp_for_dns_lookups: DNS,
    dns_resolution_config: DNS,
    typed_dns_resolver_config: DNS,
    default_regex_engine: ignore("regular expressions are always RE2"),
    default_socket_interface: OS,
    fatal_actions: OS,
    perf_tracing_file_path: OS,
    inline_headers: ignore("metadata lookups need no inline header registration"),
    application_log_config: ignore("the proxy writes its own log format"),
    cluster_manager: ignore(
      "cluster-manager settings (local cluster, outlier event log) have no effect",
    ),
    node_context_params: DESCRIPTIVE,
    grpc_async_client_manager_config: OS,
    memory_allocator_manager: OS,
  },
  "envoy.config.core.v3.Node": {
    id: U,
    cluster: U,
    metadata: U,
    locality: DESCRIPTIVE,
    user_agent_name: DESCRIPTIVE,
    user_agent_version: DESCRIPTIVE,
    user_agent_build_version: DESCRIPTIVE,
    extensions: DESCRIPTIVE,
    client_features: DESCRIPTIVE,
    listening_addresses: DESCRIPTIVE,
    dynamic_parameters: DESCRIPTIVE,
  },
  "envoy.config.bootstrap.v3.Admin": {
    address: U,
    access_log_path: ignore("admin requests are not access-logged"),
    access_log: ignore("admin requests are not access-logged"),
    profile_path: OS,
    socket_options: OS,
    ignore_global_conn_limit: OS,
  },
  "envoy.config.core.v3.Address": { socket_address: U },
  "envoy.config.core.v3.SocketAddress": {
    address: U,
    port_value: U,
    protocol: U,
    ipv4_compat: OS,
  },
  "envoy.config.bootstrap.v3.Bootstrap.StaticResources": { listeners: U, clusters: U },
  "envoy.config.bootstrap.v3.Bootstrap.DynamicResources": {
    ads_config: U,
    lds_config: U,
    cds_config: U,
  },
  "envoy.config.core.v3.ApiConfigSource": {
    api_type: U,
    transport_api_version: U,
    grpc_services: U,
    request_timeout: U,
    set_node_on_first_message_only: U,
    refresh_delay: ignore("only gRPC streams are supported; there is no polling"),
    rate_limit_settings: ignore("xDS requests are not rate limited"),
  },
  "envoy.config.core.v3.GrpcService": {
    envoy_grpc: U,
    timeout: U,
    initial_metadata: U,
    retry_policy: ignore("gRPC calls reconnect with the proxy's own backoff"),
  },
  "envoy.config.core.v3.GrpcService.EnvoyGrpc": {
    cluster_name: U,
    authority: U,
    retry_policy: ignore("gRPC calls reconnect with the proxy's own backoff"),
    max_receive_message_length: OS,
    skip_envoy_headers: DESCRIPTIVE,
  },
  "envoy.config.core.v3.HeaderValue": { key: U, value: U },
  "envoy.config.core.v3.ConfigSource": {
    api_config_source: U,
    ads: U,
    resource_api_version: U,
    initial_fetch_timeout: ignore(
      "startup never waits for RDS: unknown routes answer RouteNotFound",
    ),
  },
  "envoy.config.core.v3.AggregatedConfigSource": {},
};

const listeners: Record<string, Record<string, FieldRule>> = {
  "envoy.config.listener.v3.Listener": {
    name: U,
    address: U,
    filter_chains: U,
    traffic_direction: U,
    stat_prefix: STATS,
    per_connection_buffer_limit_bytes: ignore("buffers are bounded by the proxy's own watermarks"),
    metadata: DESCRIPTIVE,
    drain_type: ignore("drains happen on SIGTERM and /quitquitquit only"),
    socket_options: OS,
    tcp_fast_open_queue_length: OS,
    tcp_backlog_size: OS,
    reuse_port: OS,
    enable_reuse_port: OS,
    freebind: OS,
    connection_balance_config: OS,
    max_connections_to_accept_per_socket_event: OS,
    ignore_global_conn_limit: OS,
    bypass_overload_manager: OS,
    listener_filters_timeout: OS,
    continue_on_listener_filters_timeout: OS,
    bind_to_port: U,
  },
  "envoy.config.listener.v3.FilterChain": {
    filters: U,
    name: DESCRIPTIVE,
    metadata: DESCRIPTIVE,
    transport_socket_connect_timeout: OS,
  },
  "envoy.config.listener.v3.Filter": { name: U, typed_config: U },
};

const metaProtocol: Record<string, Record<string, FieldRule>> = {
  "aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy": {
    stat_prefix: U,
    application_protocol: U,
    rds: U,
    route_config: U,
    codec: U,
    meta_protocol_filters: U,
    tracing: U,
    access_log: U,
    idle_timeout: U,
    protocol: U,
  },
  "aeraki.meta_protocol_proxy.v1alpha.ApplicationProtocol": { name: U, codec: U, multiplexing: U },
  "aeraki.meta_protocol_proxy.v1alpha.Codec": { name: U, config: U },
  "aeraki.meta_protocol_proxy.v1alpha.Rds": { config_source: U, route_config_name: U },
  "aeraki.meta_protocol_proxy.v1alpha.MetaProtocolFilter": { name: U, config: U },
  "aeraki.meta_protocol_proxy.v1alpha.Tracing": {
    client_sampling: U,
    random_sampling: U,
    overall_sampling: U,
    verbose: U,
    max_tag_length: U,
    provider: U,
  },
  "envoy.type.v3.Percent": { value: U },
  "aeraki.meta_protocol.codec.DubboCodec": {},
  "aeraki.meta_protocol.codec.ThriftCodec": {},
  "aeraki.meta_protocol.codec.TrpcCodec": {},
  "aeraki.meta_protocol.codec.BrpcCodec": {},
  "aeraki.meta_protocol_proxy.config.route.v1alpha.RouteConfiguration": { name: U, routes: U },
  "aeraki.meta_protocol_proxy.config.route.v1alpha.Route": {
    name: U,
    match: U,
    route: U,
    request_mutation: U,
    response_mutation: U,
  },
  "aeraki.meta_protocol_proxy.config.route.v1alpha.RouteMatch": { metadata: U },
  "aeraki.meta_protocol_proxy.config.route.v1alpha.RouteAction": {
    cluster: U,
    weighted_clusters: U,
    hash_policy: U,
    request_mirror_policies: U,
  },
  "aeraki.meta_protocol_proxy.config.route.v1alpha.RouteAction.RequestMirrorPolicy": {
    cluster: U,
    runtime_fraction: U,
  },
  "aeraki.meta_protocol_proxy.config.route.v1alpha.KeyValue": { key: U, value: U },
  "envoy.config.route.v3.WeightedCluster": {
    clusters: U,
    total_weight: ignore("the total is the sum of the weights"),
  },
  "envoy.config.route.v3.WeightedCluster.ClusterWeight": {
    name: U,
    weight: U,
    typed_per_filter_config: ignore("there are no per-route filter configs"),
  },
  "envoy.config.core.v3.RuntimeFractionalPercent": { default_value: U, runtime_key: NO_RUNTIME },
  "envoy.type.v3.FractionalPercent": { numerator: U, denominator: U },
  "envoy.config.route.v3.HeaderMatcher": {
    name: U,
    exact_match: U,
    safe_regex_match: U,
    range_match: U,
    present_match: U,
    prefix_match: U,
    suffix_match: U,
    contains_match: U,
    string_match: U,
    invert_match: U,
    treat_missing_header_as_empty: U,
  },
  "envoy.type.matcher.v3.StringMatcher": {
    exact: U,
    prefix: U,
    suffix: U,
    safe_regex: U,
    contains: U,
    ignore_case: U,
  },
  "envoy.type.matcher.v3.RegexMatcher": {
    regex: U,
    google_re2: ignore("regular expressions are always RE2"),
  },
  "envoy.type.matcher.v3.RegexMatcher.GoogleRE2": {},
  "envoy.type.v3.Int64Range": { start: U, end: U },
  "aeraki.meta_protocol_proxy.filters.router.v1alpha.Router": {},
  "aeraki.meta_protocol_proxy.filters.metadata_exchange.v1alpha.MetadataExchange": {},
  "aeraki.meta_protocol_proxy.filters.istio_stats.v1alpha.IstioStats": { destination_service: U },
  "aeraki.meta_protocol_proxy.filters.local_ratelimit.v1alpha.LocalRateLimit": {
    stat_prefix: U,
    token_bucket: U,
    conditions: U,
  },
  "aeraki.meta_protocol_proxy.filters.local_ratelimit.v1alpha.LocalRateLimitCondition": {
    match: U,
    token_bucket: U,
  },
  "envoy.type.v3.TokenBucket": { max_tokens: U, tokens_per_fill: U, fill_interval: U },
  "aeraki.meta_protocol_proxy.filters.ratelimit.v1alpha.RateLimit": {
    match: U,
    domain: U,
    timeout: U,
    failure_mode_deny: U,
    rate_limit_service: U,
    descriptors: U,
  },
  "aeraki.meta_protocol_proxy.filters.ratelimit.v1alpha.RateLimit.Descriptor": {
    property: U,
    descriptor_key: U,
  },
  "envoy.config.ratelimit.v3.RateLimitServiceConfig": {
    grpc_service: U,
    transport_api_version: U,
  },
};

/** The loader's policy: every message type it descends into, with its field rules. */
export const POLICY: Policy = new Map(
  Object.entries({ ...bootstrap, ...listeners, ...metaProtocol, ...observability, ...clusters }),
);
