/**
 * The istio_stats filter (`aeraki.meta_protocol.filters.istio_stats`, spec §3.5): per decoded
 * response, `istio_requests_total`, `istio_request_duration_milliseconds`,
 * `istio_request_bytes` and `istio_response_bytes`, their labels carried in the stat name
 * as a `{k="v",…}` suffix (the admin server's Prometheus renderer reads them back). Handles
 * are cached per (cluster, response code), so a request allocates nothing.
 *
 * Peer workload labels need the peer's node metadata (a protobuf Struct in
 * `x-envoy-peer-metadata`); until that is decoded they are `unknown`, as upstream reports a
 * missing peer.
 *
 * @module
 */
import type {
  Counter,
  Histogram,
  IstioStatsFilterModel,
  ListenerModel,
  StatsSink,
} from "../config/model.ts";

interface Handles {
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly requestBytes: Histogram;
  readonly responseBytes: Histogram;
}

const PEER_LABELS = [
  "source_workload",
  "source_workload_namespace",
  "source_cluster",
  "source_app",
  "source_version",
  "source_canonical_service",
  "destination_workload",
  "destination_workload_namespace",
  "destination_service_namespace",
  "destination_cluster",
  "destination_app",
  "destination_version",
  "destination_canonical_service",
];

function quote(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The istio_stats filter of one listener. */
export class IstioStats {
  readonly #model: IstioStatsFilterModel;
  readonly #inbound: boolean;
  readonly #sink: StatsSink;
  readonly #cache = new Map<string, Handles>();

  constructor(model: IstioStatsFilterModel, listener: ListenerModel, sink: StatsSink) {
    this.#model = model;
    this.#inbound = listener.direction !== "outbound";
    this.#sink = sink;
  }

  /** Records one response from `cluster` (response code 0 ok, 1 error). */
  record(
    cluster: string,
    code: 0 | 1,
    durationMs: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    const key = code === 0 ? cluster : cluster + "\u0000";
    let h = this.#cache.get(key);
    if (!h) this.#cache.set(key, h = this.#handles(cluster, code));
    h.requests.inc();
    h.duration.record(durationMs);
    h.requestBytes.record(requestBytes);
    h.responseBytes.record(responseBytes);
  }

  #handles(cluster: string, code: 0 | 1): Handles {
    const service = this.#inbound
      ? this.#model.destinationService
      : cluster.slice(cluster.lastIndexOf("|") + 1);
    const labels: [string, string][] = [
      ["reporter", this.#inbound ? "destination" : "source"],
      ...PEER_LABELS.map((l): [string, string] => [l, "unknown"]),
      ["source_canonical_revision", "latest"],
      ["destination_canonical_revision", "latest"],
      ["destination_service", service || "unknown"],
      ["destination_service_name", service.split(".")[0] || "unknown"],
      ["response_code", String(code)],
    ];
    const suffix = `{${labels.map(([k, v]) => `${k}="${quote(v)}"`).join(",")}}`;
    const s = this.#sink;
    return {
      requests: s.counter("istio_requests_total" + suffix),
      duration: s.histogram("istio_request_duration_milliseconds" + suffix),
      requestBytes: s.histogram("istio_request_bytes" + suffix),
      responseBytes: s.histogram("istio_response_bytes" + suffix),
    };
  }
}
