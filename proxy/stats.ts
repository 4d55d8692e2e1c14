/**
 * The default in-memory stats sink: counters, gauges and histograms by Envoy-style dotted
 * name, read by the admin server through {@link MemoryStats.snapshot}.
 *
 * @module
 */
import type {
  Counter,
  Gauge,
  Histogram,
  HistogramSummary,
  StatsSink,
  StatsSnapshot,
} from "./config/model.ts";

/** Envoy's default histogram bucket bounds. */
const BOUNDS = [
  0.5,
  1,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  30000,
  60000,
  300000,
  600000,
  1800000,
  3600000,
];

class MemoryCounter implements Counter {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

class MemoryGauge implements Gauge {
  value = 0;
  add(by: number): void {
    this.value += by;
  }
  set(value: number): void {
    this.value = value;
  }
}

class MemoryHistogram implements Histogram {
  count = 0;
  sum = 0;
  readonly counts = new Array<number>(BOUNDS.length).fill(0);
  record(value: number): void {
    this.count++;
    this.sum += value;
    for (let i = 0; i < BOUNDS.length; i++) {
      if (value <= BOUNDS[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
  summary(): HistogramSummary {
    let cumulative = 0;
    const buckets = BOUNDS.map((le, i) => ({ le, count: cumulative += this.counts[i] }));
    return { count: this.count, sum: this.sum, buckets };
  }
}

/**
 * A {@link StatsSink} that keeps every value in memory. Asking twice for a name returns the
 * same handle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStats } from "./stats.ts";
 * const stats = new MemoryStats();
 * stats.counter("meta_protocol.thrift.in.request").inc();
 * assert.equal(stats.snapshot().counters.get("meta_protocol.thrift.in.request"), 1);
 * ```
 */
export class MemoryStats implements StatsSink {
  readonly #counters = new Map<string, MemoryCounter>();
  readonly #gauges = new Map<string, MemoryGauge>();
  readonly #histograms = new Map<string, MemoryHistogram>();

  /** The counter named `name`, created at 0. */
  counter(name: string): Counter {
    let c = this.#counters.get(name);
    if (!c) this.#counters.set(name, c = new MemoryCounter());
    return c;
  }

  /** The gauge named `name`, created at 0. */
  gauge(name: string): Gauge {
    let g = this.#gauges.get(name);
    if (!g) this.#gauges.set(name, g = new MemoryGauge());
    return g;
  }

  /** The histogram named `name`, created empty. */
  histogram(name: string): Histogram {
    let h = this.#histograms.get(name);
    if (!h) this.#histograms.set(name, h = new MemoryHistogram());
    return h;
  }

  /** Current values, sorted by name. */
  snapshot(): StatsSnapshot {
    const sorted = <V, O>(m: Map<string, V>, f: (v: V) => O) =>
      new Map([...m].sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => [k, f(v)]));
    return {
      counters: sorted(this.#counters, (c) => c.value),
      gauges: sorted(this.#gauges, (g) => g.value),
      histograms: sorted(this.#histograms, (h) => h.summary()),
    };
  }
}

/** The §6.1 proxy stats of one listener, resolved once. */
export interface ListenerStats {
  readonly cxDestroyLocalWithActiveRq: Counter;
  readonly cxDestroyRemoteWithActiveRq: Counter;
  readonly localResponseBusinessException: Counter;
  readonly localResponseError: Counter;
  readonly localResponseSuccess: Counter;
  readonly request: Counter;
  readonly requestDecodingError: Counter;
  readonly requestDecodingSuccess: Counter;
  readonly requestEvent: Counter;
  readonly requestOneway: Counter;
  readonly requestTwoway: Counter;
  readonly requestStream: Counter;
  readonly requestMutationUnsupported: Counter;
  readonly response: Counter;
  readonly responseBusinessException: Counter;
  readonly responseDecodingError: Counter;
  readonly responseDecodingSuccess: Counter;
  readonly responseError: Counter;
  readonly responseErrorCausedConnectionClose: Counter;
  readonly responseSuccess: Counter;
  readonly requestTimeout: Counter;
  readonly requestRetry: Counter;
  readonly idleTimeout: Counter;
  readonly requestActive: Gauge;
  readonly requestTimeMs: Histogram;
}

/** Resolves the stats of a listener under `meta_protocol.<protocol>.<statPrefix>.`. */
export function listenerStats(
  sink: StatsSink,
  protocol: string,
  statPrefix: string,
): ListenerStats {
  const p = `meta_protocol.${protocol}.${statPrefix}.`;
  const c = (n: string) => sink.counter(p + n);
  return {
    cxDestroyLocalWithActiveRq: c("cx_destroy_local_with_active_rq"),
    cxDestroyRemoteWithActiveRq: c("cx_destroy_remote_with_active_rq"),
    localResponseBusinessException: c("local_response_business_exception"),
    localResponseError: c("local_response_error"),
    localResponseSuccess: c("local_response_success"),
    request: c("request"),
    requestDecodingError: c("request_decoding_error"),
    requestDecodingSuccess: c("request_decoding_success"),
    requestEvent: c("request_event"),
    requestOneway: c("request_oneway"),
    requestTwoway: c("request_twoway"),
    requestStream: c("request_stream"),
    requestMutationUnsupported: c("request_mutation_unsupported"),
    response: c("response"),
    responseBusinessException: c("response_business_exception"),
    responseDecodingError: c("response_decoding_error"),
    responseDecodingSuccess: c("response_decoding_success"),
    responseError: c("response_error"),
    responseErrorCausedConnectionClose: c("response_error_caused_connection_close"),
    responseSuccess: c("response_success"),
    requestTimeout: c("request_timeout"),
    requestRetry: c("request_retry"),
    idleTimeout: c("idle_timeout"),
    requestActive: sink.gauge(p + "request_active"),
    requestTimeMs: sink.histogram(p + "request_time_ms"),
  };
}

/** Envoy cluster upstream stats (`cluster.<name>.*`), resolved once per cluster. */
export interface ClusterStats {
  readonly upstreamCxTotal: Counter;
  readonly upstreamCxActive: Gauge;
  readonly upstreamCxConnectFail: Counter;
  readonly upstreamCxConnectTimeout: Counter;
  readonly upstreamCxDestroyRemote: Counter;
  readonly upstreamRqTotal: Counter;
  readonly upstreamRqActive: Gauge;
  readonly upstreamRqPendingOverflow: Counter;
  readonly upstreamRqTimeout: Counter;
  readonly upstreamRqRetry: Counter;
  readonly upstreamCxOverflow: Counter;
  readonly outlierDetectionEjectionsTotal: Counter;
  readonly outlierDetectionEjectionsActive: Gauge;
  readonly membershipHealthy: Gauge;
  readonly membershipTotal: Gauge;
}

/** Resolves the stats of cluster `name`. */
export function clusterStats(sink: StatsSink, name: string): ClusterStats {
  const p = `cluster.${name}.`;
  const c = (n: string) => sink.counter(p + n);
  const g = (n: string) => sink.gauge(p + n);
  return {
    upstreamCxTotal: c("upstream_cx_total"),
    upstreamCxActive: g("upstream_cx_active"),
    upstreamCxConnectFail: c("upstream_cx_connect_fail"),
    upstreamCxConnectTimeout: c("upstream_cx_connect_timeout"),
    upstreamCxDestroyRemote: c("upstream_cx_destroy_remote"),
    upstreamRqTotal: c("upstream_rq_total"),
    upstreamRqActive: g("upstream_rq_active"),
    upstreamRqPendingOverflow: c("upstream_rq_pending_overflow"),
    upstreamRqTimeout: c("upstream_rq_timeout"),
    upstreamRqRetry: c("upstream_rq_retry"),
    upstreamCxOverflow: c("upstream_cx_overflow"),
    outlierDetectionEjectionsTotal: c("outlier_detection.ejections_total"),
    outlierDetectionEjectionsActive: g("outlier_detection.ejections_active"),
    membershipHealthy: g("membership_healthy"),
    membershipTotal: g("membership_total"),
  };
}
