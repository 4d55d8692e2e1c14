/**
 * The compiled runtime model the MetaProtocol proxy runs from, and the interfaces through
 * which its edges (config loader, admin server, access logs, RDS/xDS, global rate limit)
 * plug in.
 *
 * The model is plain, immutable data: an Envoy bootstrap (or anything else) is compiled
 * into it once, checked, and handed to `startProxy`. Durations are milliseconds, names are
 * already resolved (codec registry names, lower-cased metadata keys), and every default is
 * filled in by the compiler, so the data plane never interprets Envoy protos.
 *
 * Stability contract: fields are only ever added (optional) or documented further; none is
 * renamed or changes meaning. The edge interfaces live in `edges.ts` and are re-exported
 * here.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------
// Whole model
// ---------------------------------------------------------------------------------------

/** Everything one proxy instance runs. */
export interface ProxyModel {
  /** The listeners to open (one TCP server socket each). */
  readonly listeners: readonly ListenerModel[];
  /** Every cluster routes, mirrors and filters may name (by {@link ClusterModel.name}). */
  readonly clusters: readonly ClusterModel[];
  /**
   * Named route tables known at start (RDS route configurations delivered with the model,
   * or tables shared by several listeners). Listeners with `route.kind === "rds"` look their
   * table up here by name, and later in {@link ProxyControl.updateRoutes}. A listener whose
   * named table is not (yet) known answers every request with `RouteNotFound`.
   */
  readonly routeTables?: readonly RouteTableModel[];
  /** Where the admin server listens; the data plane itself does not open it. */
  readonly admin?: AdminModel;
}

/** The admin endpoint of the bootstrap (served by the admin server, not the data plane). */
export interface AdminModel {
  /** IP address to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly address: string;
  /** TCP port; 0 picks a free port. */
  readonly port: number;
}

// ---------------------------------------------------------------------------------------
// Listeners
// ---------------------------------------------------------------------------------------

/** One MetaProtocol listener: a TCP socket whose bytes are decoded with one codec. */
export interface ListenerModel {
  /** Envoy listener name; used in logs, drains and stats lookups. Unique. */
  readonly name: string;
  /** IP address to bind, e.g. `0.0.0.0`, `127.0.0.1`, `::`. */
  readonly address: string;
  /** TCP port; 0 picks a free port (the chosen one is in `ProxyHandle.ports`). */
  readonly port: number;
  /** Codec registry name, e.g. `aeraki.meta_protocol.codec.thrift` (spec §1.4). */
  readonly codec: string;
  /**
   * Application protocol name (`protocol.name`, or the deprecated `application_protocol`),
   * e.g. `thrift`. Second segment of every stat name and the value of
   * `x-meta-protocol-application-protocol`.
   */
  readonly protocol: string;
  /** `stat_prefix`: stats are `meta_protocol.<protocol>.<statPrefix>.<name>` (spec §6.1). */
  readonly statPrefix: string;
  /**
   * `protocol.multiplexing`: when true, requests from many downstream connections share few
   * upstream connections per endpoint (request ids rewritten by the codec); when false, each
   * in-flight request holds one pooled upstream connection exclusively (spec §4.1, §4.2).
   */
  readonly multiplexing: boolean;
  /** Downstream idle timeout in ms (`idle_timeout`); absent or 0 = none (spec §4.5). */
  readonly idleTimeoutMs?: number;
  /** Largest frame accepted from either side; default the codec's 16 MiB. */
  readonly maxFrameSize?: number;
  /** Where the routes come from: an inline table or a named (RDS) table. */
  readonly route: RouteSourceModel;
  /**
   * The MetaProtocol filter chain, in configuration order (spec §3). Decoder and encoder
   * filters both run in this order. The router is last; a chain without a router gets one
   * appended by the compiler (upstream's default chain is `[router]`).
   */
  readonly filters: readonly FilterModel[];
  /**
   * Access-log sinks, opaque to the data plane: the proxy calls
   * {@link ProxyOptions.accessLog} with each sink's index and the entry, and whoever
   * compiled the sinks formats and writes. Empty = no entries are built at all.
   */
  readonly accessLogs: readonly AccessLogSinkModel[];
  /** Listener `traffic_direction`; decides metadata_exchange / istio_stats sides. */
  readonly direction?: "inbound" | "outbound" | "unspecified";
  /** Tracing config, opaque to the data plane (kept for config dumps). */
  readonly tracing?: unknown;
  /**
   * A default request timeout in ms for routes without their own `timeout`; absent = none
   * (upstream has none: spec §9.5).
   */
  readonly requestTimeoutMs?: number;
}

/** Where a listener's route table comes from. */
export type RouteSourceModel =
  | { readonly kind: "inline"; readonly table: RouteTableModel }
  | {
    readonly kind: "rds";
    /** `rds.route_config_name`: the table name looked up in the proxy's named tables. */
    readonly name: string;
    /** The RDS config source, opaque to the data plane (used by the RDS client). */
    readonly configSource?: unknown;
  };

/** An access-log sink as compiled from `access_log[]`; `config` is opaque here. */
export interface AccessLogSinkModel {
  /** The access logger's name, e.g. `envoy.access_loggers.file`. */
  readonly name: string;
  /** Whatever the compiler needs to format and write (path, format, JSON keys…). */
  readonly config: unknown;
}

// ---------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------

/** One entry of the MetaProtocol filter chain (spec §2.4). */
export type FilterModel =
  | RouterFilterModel
  | LocalRateLimitFilterModel
  | GlobalRateLimitFilterModel
  | MetadataExchangeFilterModel
  | IstioStatsFilterModel;

/** `aeraki.meta_protocol.filters.router`: routes the message upstream (spec §3.1). */
export interface RouterFilterModel {
  readonly kind: "router";
}

/** A token bucket (`envoy.type.v3.TokenBucket`), filled by the proxy's fill timer. */
export interface TokenBucketModel {
  /** Bucket capacity; buckets start full. */
  readonly maxTokens: number;
  /** Tokens added per fill (default 1, filled in by the compiler). */
  readonly tokensPerFill: number;
  /** Fill interval in ms; the shared timer period is the minimum over buckets, ≥ 50 ms. */
  readonly fillIntervalMs: number;
}

/**
 * `aeraki.meta_protocol.filters.local_ratelimit` (spec §3.2). Buckets belong to this filter
 * config and are shared by every connection of the listener. The first condition whose
 * match matches consumes from its own bucket; no matching condition → the default bucket,
 * or allow when there is none.
 */
export interface LocalRateLimitFilterModel {
  readonly kind: "local_ratelimit";
  /** Stats: `meta_protocol.<statPrefix>.local_rate_limit.{ok,rate_limited}`. */
  readonly statPrefix: string;
  /** The default bucket, absent = requests matching no condition are allowed. */
  readonly tokenBucket?: TokenBucketModel;
  /** Conditions in order; first match decides. */
  readonly conditions: readonly {
    readonly match: readonly MetadataMatcherModel[];
    readonly tokenBucket: TokenBucketModel;
  }[];
}

/**
 * `aeraki.meta_protocol.filters.ratelimit` (spec §3.3), asynchronous: the proxy calls
 * {@link ProxyOptions.rateLimit} and waits at most `timeoutMs`.
 */
export interface GlobalRateLimitFilterModel {
  readonly kind: "ratelimit";
  /** Matchers selecting requests to check; EMPTY = never rate-limit (upstream semantics). */
  readonly match: readonly MetadataMatcherModel[];
  /** Rate-limit domain. */
  readonly domain: string;
  /** One descriptor per entry, each with one `{key: descriptorKey, value: md[property]}`. */
  readonly descriptors: readonly { readonly property: string; readonly descriptorKey: string }[];
  /** Call timeout in ms (default 20). */
  readonly timeoutMs: number;
  /** Deny (OverLimit) when the call fails or times out; else allow. */
  readonly failureModeDeny: boolean;
  /** Cluster of the rate-limit service (`grpc_service.envoy_grpc.cluster_name`). */
  readonly cluster: string;
}

/** `aeraki.meta_protocol.filters.metadata_exchange` (spec §3.4). */
export interface MetadataExchangeFilterModel {
  readonly kind: "metadata_exchange";
  /** base64 `google.protobuf.Struct` of the node metadata (`x-envoy-peer-metadata`). */
  readonly peerMetadata: string;
  /** The node id (`x-envoy-peer-metadata-id`). */
  readonly peerMetadataId: string;
}

/** `aeraki.meta_protocol.filters.istio_stats` (spec §3.5). */
export interface IstioStatsFilterModel {
  readonly kind: "istio_stats";
  /** `destination_service` (used on inbound listeners). */
  readonly destinationService: string;
}

// ---------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------

/** A route table (`RouteConfiguration`); routes are tried in order, first match wins. */
export interface RouteTableModel {
  /** `RouteConfiguration.name` (the RDS route_config_name for RDS tables). */
  readonly name: string;
  /** The xDS version that delivered it, for config dumps; "" for static tables. */
  readonly version?: string;
  readonly routes: readonly RouteModel[];
}

/** A `KeyValue` of request/response mutation. */
export interface KeyValueModel {
  readonly key: string;
  readonly value: string;
}

/** One route (spec §2.2). */
export interface RouteModel {
  /** Route name (logged as `%ROUTE_NAME%`). */
  readonly name: string;
  /** All must match (AND); empty matches every message. */
  readonly match: readonly MetadataMatcherModel[];
  readonly action: RouteActionModel;
  /** Written into the request (codec encode) after route selection; later keys overwrite. */
  readonly requestMutation: readonly KeyValueModel[];
  /** Written into the response before it is returned (fixes spec §9.4). */
  readonly responseMutation: readonly KeyValueModel[];
}

/**
 * One `HeaderMatcher` on the message's lower-cased string metadata (spec §2.2). A missing key
 * fails every matcher except `present: false` (then `invert` applies), unless
 * `treatMissingAsEmpty`.
 */
export interface MetadataMatcherModel {
  /** Metadata key, lower-cased by the compiler. */
  readonly name: string;
  readonly match: StringMatchModel;
  /** Negates the outcome. */
  readonly invert?: boolean;
  /** Treat a missing key as the empty string. */
  readonly treatMissingAsEmpty?: boolean;
}

/** How a metadata value is compared. Comparisons are case-sensitive unless `ignoreCase`. */
export type StringMatchModel =
  | { readonly kind: "exact"; readonly value: string; readonly ignoreCase?: boolean }
  | { readonly kind: "prefix"; readonly value: string; readonly ignoreCase?: boolean }
  | { readonly kind: "suffix"; readonly value: string; readonly ignoreCase?: boolean }
  | { readonly kind: "contains"; readonly value: string; readonly ignoreCase?: boolean }
  /** RE2 full match (compiled with re2js). */
  | { readonly kind: "regex"; readonly regex: string }
  /** `present: true` matches when the key exists; `false` when it does not. */
  | { readonly kind: "present"; readonly present: boolean }
  /** Integer value in `[start, end)`. */
  | { readonly kind: "range"; readonly start: number; readonly end: number };

/** Where a matched route sends the message. */
export interface RouteActionModel {
  readonly target: ClusterTargetModel;
  /** Metadata keys whose sorted values make the hash for RING_HASH / MAGLEV clusters. */
  readonly hashPolicy: readonly string[];
  /** Mirror clusters; fire-and-forget, responses discarded. */
  readonly mirrors: readonly MirrorPolicyModel[];
  /** Whole-request timeout in ms (Envoy `RouteAction.timeout`); absent/0 = listener default. */
  readonly timeoutMs?: number;
  readonly retryPolicy?: RetryPolicyModel;
}

/** A single cluster, or weighted clusters picked by `random % totalWeight`. */
export type ClusterTargetModel =
  | { readonly kind: "cluster"; readonly name: string }
  | {
    readonly kind: "weighted";
    readonly clusters: readonly { readonly name: string; readonly weight: number }[];
  };

/** A request mirror policy; `fraction` absent = always mirror. */
export interface MirrorPolicyModel {
  readonly cluster: string;
  readonly fraction?: {
    readonly numerator: number;
    /** 100, 10 000 or 1 000 000 (FractionalPercent HUNDRED / TEN_THOUSAND / MILLION). */
    readonly denominator: number;
  };
}

/** Envoy `RetryPolicy` subset. */
export interface RetryPolicyModel {
  /** Retries after the first try. */
  readonly numRetries: number;
  /** Which failures retry. */
  readonly retryOn: readonly ("connect-failure" | "reset" | "refused-stream")[];
  /** Timeout of each try in ms; absent = only the route timeout applies. */
  readonly perTryTimeoutMs?: number;
  /**
   * Whether a request already written upstream may be sent again (after a reset or a per-try
   * timeout). False: only failures before the write (connect failure, refused) retry.
   */
  readonly idempotent?: boolean;
}

// ---------------------------------------------------------------------------------------
// Clusters
// ---------------------------------------------------------------------------------------

/** Load-balancing policy of a cluster. */
export type LbPolicy = "ROUND_ROBIN" | "LEAST_REQUEST" | "RANDOM" | "RING_HASH" | "MAGLEV";

/** One upstream cluster. */
export interface ClusterModel {
  /** Cluster name, e.g. `outbound|9090||thrift-sample-server.meta-thrift.svc.cluster.local`. */
  readonly name: string;
  /** How endpoints are found; STRICT_DNS hosts are resolved when connecting. */
  readonly type: "STATIC" | "STRICT_DNS" | "EDS";
  /** Endpoints (from `load_assignment`, or the latest EDS update). */
  readonly endpoints: readonly EndpointModel[];
  /** Connect timeout in ms (default 5000 as Envoy). */
  readonly connectTimeoutMs: number;
  readonly lbPolicy: LbPolicy;
  /** RING_HASH ring size bounds (defaults 1024 / 8M as Envoy). */
  readonly ringHash?: { readonly minimumRingSize: number; readonly maximumRingSize: number };
  /** MAGLEV table size (prime; default 65537). */
  readonly maglev?: { readonly tableSize: number };
  /** Default-priority thresholds; absent fields use Envoy's defaults (1024, 3 retries). */
  readonly circuitBreakers?: CircuitBreakersModel;
  /** Absent = no outlier detection. */
  readonly outlierDetection?: OutlierDetectionModel;
  /** `eds_cluster_config.service_name`, for the xDS client; opaque here. */
  readonly edsServiceName?: string;
}

/** One endpoint (`lb_endpoints[]`). */
export interface EndpointModel {
  /** IP address or, for STRICT_DNS, a host name. */
  readonly address: string;
  readonly port: number;
  /** `load_balancing_weight`, default 1. */
  readonly weight: number;
  /** `health_status`; only `healthy` (and `unknown`) endpoints receive traffic. */
  readonly health: "healthy" | "unknown" | "unhealthy" | "draining" | "timeout" | "degraded";
}

/** Cluster `circuit_breakers.thresholds[DEFAULT]`. */
export interface CircuitBreakersModel {
  /** Upstream connections of the cluster (default 1024). */
  readonly maxConnections?: number;
  /** Requests waiting for a connection (default 1024). */
  readonly maxPendingRequests?: number;
  /** Requests in flight (default 1024). */
  readonly maxRequests?: number;
  /** Retries in flight (default 3). */
  readonly maxRetries?: number;
}

/** Cluster `outlier_detection` (consecutive-error ejection). */
export interface OutlierDetectionModel {
  /** `consecutive_5xx`: consecutive failed responses/connects that eject (default 5). */
  readonly consecutiveErrors: number;
  /** `consecutive_local_origin_failure` / gateway failures (default 5). */
  readonly consecutiveLocalOriginFailures?: number;
  /** `interval` in ms: how often ejections are reconsidered (default 10 000). */
  readonly intervalMs: number;
  /** `base_ejection_time` in ms (default 30 000); multiplied by the ejection count. */
  readonly baseEjectionTimeMs: number;
  /** `max_ejection_percent` (default 10; at least one host may always be ejected). */
  readonly maxEjectionPercent: number;
}

export * from "./edges.ts";
