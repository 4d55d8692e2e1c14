/**
 * The interfaces through which the proxy's edges plug in: the stats sink read by the admin
 * server, the access-log callback, the global rate-limit hook, runtime route/cluster
 * updates (RDS/xDS) and the handle of a running proxy. Re-exported by `model.ts`.
 *
 * @module
 */
import type { Collector, ZipkinSpan } from "../tracing/zipkin.ts";
import type { ClusterModel, EndpointModel, ListenerModel, RouteTableModel } from "./model.ts";

/** A monotonically increasing counter. */
export interface Counter {
  inc(by?: number): void;
  readonly value: number;
}

/** A gauge that goes up and down. */
export interface Gauge {
  add(by: number): void;
  set(value: number): void;
  readonly value: number;
}

/** A histogram of non-negative samples (ms, bytes). */
export interface Histogram {
  record(value: number): void;
}

/**
 * Where the proxy records stats, by Envoy-style dotted name (spec §6.1), e.g.
 * `meta_protocol.thrift.inbound.request`, `cluster.<name>.upstream_cx_total`. The proxy
 * resolves handles once (per listener/cluster), never per message, so a sink may allocate
 * in these calls. The admin server reads {@link StatsSink.snapshot}.
 */
export interface StatsSink {
  counter(name: string): Counter;
  gauge(name: string): Gauge;
  histogram(name: string): Histogram;
  /** The current values, for `/stats` and `/stats/prometheus`. */
  snapshot(): StatsSnapshot;
}

/** The readable state of a {@link StatsSink}. */
export interface StatsSnapshot {
  readonly counters: ReadonlyMap<string, number>;
  readonly gauges: ReadonlyMap<string, number>;
  /** Recorded samples per histogram name (sinks may bound or summarize them). */
  readonly histograms: ReadonlyMap<string, HistogramSummary>;
}

/** A histogram's summary for display. */
export interface HistogramSummary {
  readonly count: number;
  readonly sum: number;
  /** Cumulative counts per upper bound (Envoy's default buckets). */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
}

/**
 * One access-log entry, built per request (only when the listener has access-log sinks).
 * Field meanings follow spec §6.2, including the inverted BYTES_SENT/RECEIVED.
 */
export interface AccessLogEntry {
  /** `%START_TIME%`: ms since the epoch when the request was decoded. */
  readonly startTime: number;
  /** `%DURATION%` in ms. */
  readonly durationMs: number;
  /** Application protocol (`x-meta-protocol-application-protocol`). */
  readonly protocol: string;
  /** `%RESPONSE_CODE%`: 0 for an upstream response, 1 for a framework error. */
  readonly responseCode: 0 | 1;
  /** `%RESPONSE_CODE_DETAILS%`, e.g. `no_matched_route`, `upstream_reset`, or "". */
  readonly responseCodeDetails: string;
  /** `%CONNECTION_TERMINATION_DETAILS%`, usually "". */
  readonly connectionTerminationDetails: string;
  /** `%UPSTREAM_TRANSPORT_FAILURE_REASON%`, usually "". */
  readonly upstreamTransportFailureReason: string;
  /** `%BYTES_SENT%`: the REQUEST size. */
  readonly bytesSent: number;
  /** `%BYTES_RECEIVED%`: the RESPONSE size. */
  readonly bytesReceived: number;
  /** `%UPSTREAM_CLUSTER%`, "" when none was picked. */
  readonly upstreamCluster: string;
  /** `%UPSTREAM_HOST%` as `ip:port`, "" when none. */
  readonly upstreamHost: string;
  /** `%UPSTREAM_LOCAL_ADDRESS%`, "" when unknown. */
  readonly upstreamLocalAddress: string;
  /** `%DOWNSTREAM_LOCAL_ADDRESS%` as `ip:port`. */
  readonly downstreamLocalAddress: string;
  /** `%DOWNSTREAM_REMOTE_ADDRESS%` as `ip:port`. */
  readonly downstreamRemoteAddress: string;
  /** `%ROUTE_NAME%`. */
  readonly routeName: string;
  /** `%REQ(KEY)%`: lower-cased request metadata, including `x-request-id`. */
  readonly requestHeaders: ReadonlyMap<string, string>;
  /** `%RESP(KEY)%`: lower-cased response metadata, when a response was decoded. */
  readonly responseHeaders?: ReadonlyMap<string, string>;
}

/** Receives every access-log entry of `listener`'s sink number `sink`. Must not throw. */
export type AccessLogCallback = (
  listener: ListenerModel,
  sink: number,
  entry: AccessLogEntry,
) => void;

/** A `RateLimitService.ShouldRateLimit` call as the global rate-limit filter makes it. */
export interface RateLimitRequest {
  /** The rate-limit service cluster. */
  readonly cluster: string;
  readonly domain: string;
  readonly descriptors: readonly {
    readonly entries: readonly { readonly key: string; readonly value: string }[];
  }[];
  /** The filter's timeout; the proxy also enforces it itself. */
  readonly timeoutMs: number;
}

/**
 * The async hook of the global rate-limit filter: resolves `over_limit` or `ok`; a rejection
 * (or exceeding the timeout) is a failure handled by `failureModeDeny`.
 */
export type RateLimitService = (request: RateLimitRequest) => Promise<"ok" | "over_limit">;

/** How the edges change what a running proxy does. Changes apply to the next message. */
export interface ProxyControl {
  /**
   * Installs or replaces the named route table (by `table.name`); every listener using that
   * name (RDS) or whose inline table has that name picks it up for its next request. Never
   * closes a connection.
   */
  updateRoutes(table: RouteTableModel): void;
  /**
   * Adds or replaces clusters by name (e.g. EDS endpoint changes). With `replaceAll`, clusters
   * not in `clusters` are removed. Upstream connections to endpoints that disappear are
   * closed once idle; in-flight requests finish.
   */
  updateClusters(clusters: readonly ClusterModel[], options?: { replaceAll?: boolean }): void;
}

/**
 * How LDS and CDS change a running proxy (Envoy's listener and cluster managers). Listener
 * changes apply to new connections; existing ones keep the filter chain they started with
 * until they close or the listener drain time passes. Cluster changes apply to the next
 * request; in-flight ones finish.
 */
export interface DynamicControl extends ProxyControl {
  /**
   * Adds or replaces listeners by name. A replaced listener of the same address hands its
   * bound socket to the new one (the port is never unbound); one of another address is
   * unbound after the new one is bound. Returns an error per listener that could not start
   * (unknown codec, address in use); those keep their previous version, if any.
   */
  updateListeners(listeners: readonly ListenerModel[]): string[];
  /** Removes listeners by name: they stop accepting and drain. */
  removeListeners(names: readonly string[]): void;
  /** Removes clusters by name: routes to them get ClusterNotFound, in-flight requests finish. */
  removeClusters(names: readonly string[]): void;
  /** The listeners running now (their models), by name. */
  listenerModels(): ReadonlyMap<string, ListenerModel>;
  /** The clusters in use now (their models), by name. */
  clusterModels(): ReadonlyMap<string, ClusterModel>;
}

/** What `startProxy` takes besides the model. */
export interface ProxyOptions {
  /** Where stats go; default an in-memory sink readable through the handle. */
  readonly stats?: StatsSink;
  /** Access-log entries of listeners that have sinks. */
  readonly accessLog?: AccessLogCallback;
  /** The global rate-limit service client (required if any listener has a `ratelimit`). */
  readonly rateLimit?: RateLimitService;
  /** How long `drain()` waits for in-flight requests before closing (default 5000 ms). */
  readonly drainTimeoutMs?: number;
  /**
   * How long connections of an updated or removed listener keep serving on the old filter
   * chain before they drain (Envoy's `--drain-time-s`; default 600 000 ms).
   */
  readonly listenerDrainMs?: number;
  /**
   * Sets `SO_REUSEPORT` on every listener socket, so that several proxy processes serve the
   * same ports (`aeraki proxy --concurrency`); Deno needs `--unstable-net` for it.
   */
  readonly reusePort?: boolean;
  /** Takes the sampled spans of listeners with tracing; without it nothing is traced. */
  readonly tracer?: SpanReporter;
}

/** Receives finished spans and the collector host to send them to. Must not throw. */
export interface SpanReporter {
  report(collector: Collector | undefined, span: ZipkinSpan): void;
}

/** The live state of one endpoint, for `/clusters`. */
export interface EndpointStatus {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly health: EndpointModel["health"];
  /** Currently ejected by outlier detection. */
  readonly ejected: boolean;
  readonly activeConnections: number;
  readonly activeRequests: number;
}

/** A running proxy. */
export interface ProxyHandle extends DynamicControl {
  /** Bound ports by listener name (useful with port 0). */
  readonly ports: ReadonlyMap<string, number>;
  /** The stats sink in use. */
  readonly stats: StatsSink;
  /** The current named route tables, for `/config_dump`. */
  routeTables(): ReadonlyMap<string, RouteTableModel>;
  /** Endpoint state per cluster, for `/clusters`. */
  clusterStatus(): ReadonlyMap<string, readonly EndpointStatus[]>;
  /** Stop accepting, let in-flight requests finish (bounded by the drain timeout), close. */
  drain(): Promise<void>;
  /** Close everything now; in-flight requests are dropped. */
  close(): Promise<void>;
}
