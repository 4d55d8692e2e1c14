/**
 * Zipkin v2 JSON spans (data-plane spec §6.3) and their reporter: spans are queued off the
 * request path and POSTed in batches to the collector (`collector_endpoint`, `Host:
 * collector_hostname`), as Envoy's Zipkin tracer does with `HTTP_JSON`. A collector that is
 * down or slow loses spans (counted), never requests.
 *
 * @module
 */
import type { AccessLogEntry, StatsSink } from "../config/edges.ts";
import type { SpanContext } from "./trace_context.ts";

/** One span in Zipkin's v2 JSON model. */
export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name: string;
  readonly kind: "CLIENT" | "SERVER";
  /** Start, in µs since the epoch. */
  readonly timestamp: number;
  /** In µs, at least 1. */
  readonly duration: number;
  readonly localEndpoint: { readonly serviceName: string };
  readonly remoteEndpoint?: {
    readonly ipv4?: string;
    readonly ipv6?: string;
    readonly port: number;
  };
  readonly tags: Readonly<Record<string, string>>;
}

/** What a span says about its request besides the access-log entry. */
export interface SpanFacts {
  readonly span: SpanContext;
  /** `inbound` listeners open SERVER spans, others CLIENT spans. */
  readonly direction?: "inbound" | "outbound" | "unspecified";
  /** `localEndpoint.serviceName`: the bootstrap's `node.cluster`. */
  readonly serviceName: string;
  readonly nodeId: string;
  /** Tag values are cut to this many characters. */
  readonly maxTagLength: number;
}

const RESERVED = new Set([
  "x-b3-traceid",
  "x-b3-spanid",
  "x-b3-parentspanid",
  "x-b3-sampled",
  "x-b3-flags",
]);

function endpoint(hostPort: string): ZipkinSpan["remoteEndpoint"] {
  const at = hostPort.lastIndexOf(":");
  if (at < 0) return undefined;
  const host = hostPort.slice(0, at).replace(/^\[|\]$/g, ""), port = Number(hostPort.slice(at + 1));
  return host.includes(":") ? { ipv6: host, port } : { ipv4: host, port };
}

/**
 * The span of a finished request. Its name is `ingress <method>` on inbound listeners and
 * `egress <method>` elsewhere (upstream names both `ingress`, spec §6.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zipkinSpan } from "./zipkin.ts";
 * const span = zipkinSpan({
 *   startTime: 1000, durationMs: 2, protocol: "thrift", responseCode: 0,
 *   responseCodeDetails: "", connectionTerminationDetails: "",
 *   upstreamTransportFailureReason: "", bytesSent: 40, bytesReceived: 30,
 *   upstreamCluster: "outbound|9090||hello", upstreamHost: "127.0.0.1:9090",
 *   upstreamLocalAddress: "", downstreamLocalAddress: "127.0.0.1:8080",
 *   downstreamRemoteAddress: "127.0.0.1:5000", routeName: "r",
 *   requestHeaders: new Map([["method", "sayHello"], ["x-request-id", "id"]]),
 * }, {
 *   span: { traceId: "463ac35c9f6413ad", spanId: "a2fb4a1d1a96d312", sampled: true },
 *   serviceName: "hello", nodeId: "node-1", maxTagLength: 256,
 * });
 * assert.equal(span.name, "egress sayHello");
 * assert.equal(span.kind, "CLIENT");
 * assert.equal(span.tags["guid:x-request-id"], "id");
 * assert.deepEqual(span.remoteEndpoint, { ipv4: "127.0.0.1", port: 9090 });
 * ```
 */
export function zipkinSpan(entry: AccessLogEntry, facts: SpanFacts): ZipkinSpan {
  const cut = (v: string) => v.length > facts.maxTagLength ? v.slice(0, facts.maxTagLength) : v;
  const tags: Record<string, string> = {
    component: "proxy",
    node_id: facts.nodeId,
    "peer.address": entry.downstreamRemoteAddress,
    request_size: String(entry.bytesSent),
    response_size: String(entry.bytesReceived),
    upstream_cluster: entry.upstreamCluster,
    "upstream_cluster.name": entry.upstreamCluster,
  };
  const rid = entry.requestHeaders.get("x-request-id");
  if (rid) tags["guid:x-request-id"] = rid;
  const cid = entry.requestHeaders.get("x-client-trace-id");
  if (cid) tags["guid:x-client-trace-id"] = cid;
  for (const [k, v] of entry.requestHeaders) {
    if (!RESERVED.has(k)) tags[`request metadata: ${k}`] = cut(v);
  }
  for (const [k, v] of entry.responseHeaders ?? []) tags[`response metadata: ${k}`] = cut(v);
  if (entry.responseCode === 1) {
    tags.error = "true";
    if (entry.responseCodeDetails) tags.response_code_details = entry.responseCodeDetails;
  }
  const inbound = facts.direction === "inbound";
  const method = entry.requestHeaders.get("method");
  const remote = entry.upstreamHost ? endpoint(entry.upstreamHost) : undefined;
  const s = facts.span;
  return {
    traceId: s.traceId,
    id: s.spanId,
    ...(s.parentId ? { parentId: s.parentId } : {}),
    name: `${inbound ? "ingress" : "egress"}${method ? ` ${method}` : ""}`,
    kind: inbound ? "SERVER" : "CLIENT",
    timestamp: Math.round(entry.startTime * 1000),
    duration: Math.max(1, Math.round(entry.durationMs * 1000)),
    localEndpoint: { serviceName: facts.serviceName },
    ...(remote ? { remoteEndpoint: remote } : {}),
    tags,
  };
}

/** Where one collector takes spans. */
export interface Collector {
  readonly host: string;
  readonly port: number;
  /** The `Host` header. */
  readonly hostname: string;
  /** The path, e.g. `/api/v2/spans`. */
  readonly endpoint: string;
}

/** How the reporter batches. */
export interface ReporterOptions {
  /** Where `tracing.zipkin.*` counters go. */
  readonly stats: StatsSink;
  /** A batch is sent once this many spans wait. @default 5 (Envoy's `min_flush_spans`) */
  readonly minFlushSpans?: number;
  /** Waiting spans are sent at least this often. @default 1000 ms */
  readonly flushIntervalMs?: number;
  /** Spans beyond this many waiting are dropped (a collector that cannot keep up). @default 1000 */
  readonly maxQueued?: number;
  /** A POST that takes longer is abandoned. @default 5000 ms */
  readonly timeoutMs?: number;
  /** Sends one batch and resolves to the HTTP status. @default {@link postJson} */
  readonly post?: (collector: Collector, body: string, timeoutMs: number) => Promise<number>;
}

/** Batches spans per collector and POSTs them; never throws into its callers. */
export class ZipkinReporter {
  readonly #queues = new Map<string, { collector: Collector; spans: ZipkinSpan[] }>();
  readonly #opts: Required<Omit<ReporterOptions, "stats">>;
  readonly #stats: StatsSink;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ReporterOptions) {
    this.#stats = options.stats;
    this.#opts = {
      minFlushSpans: options.minFlushSpans ?? 5,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxQueued: options.maxQueued ?? 1000,
      timeoutMs: options.timeoutMs ?? 5000,
      post: options.post ?? postJson,
    };
  }

  /** Queues `span` for `collector`; `undefined` collector = no healthy host (counted). */
  report(collector: Collector | undefined, span: ZipkinSpan): void {
    if (!collector) {
      this.#stats.counter("tracing.zipkin.reports_skipped_no_cluster").inc();
      return;
    }
    const key = `${collector.host}:${collector.port}${collector.endpoint}`;
    let q = this.#queues.get(key);
    if (!q) this.#queues.set(key, q = { collector, spans: [] });
    if (q.spans.length >= this.#opts.maxQueued) {
      this.#stats.counter("tracing.zipkin.spans_dropped").inc();
      return;
    }
    q.spans.push(span);
    if (q.spans.length >= this.#opts.minFlushSpans) this.#send(q);
    else {
      this.#timer ??= setInterval(() => {
        this.#stats.counter("tracing.zipkin.timer_flushed").inc();
        this.flush();
      }, this.#opts.flushIntervalMs);
      Deno.unrefTimer(this.#timer);
    }
  }

  /** Sends everything queued now. */
  flush(): void {
    for (const q of this.#queues.values()) if (q.spans.length > 0) this.#send(q);
  }

  /** Sends what is queued, waits for the POSTs in flight, stops the timer. */
  async close(): Promise<void> {
    this.flush();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#inFlight);
  }

  #send(q: { collector: Collector; spans: ZipkinSpan[] }): void {
    const spans = q.spans;
    q.spans = [];
    const p = this.#opts.post(q.collector, JSON.stringify(spans), this.#opts.timeoutMs).then(
      (status) => {
        const ok = status >= 200 && status < 300;
        this.#stats.counter(`tracing.zipkin.reports_${ok ? "sent" : "dropped"}`).inc();
        if (ok) this.#stats.counter("tracing.zipkin.spans_sent").inc(spans.length);
      },
      () => this.#stats.counter("tracing.zipkin.reports_failed").inc(),
    );
    this.#inFlight.add(p);
    p.finally(() => this.#inFlight.delete(p));
  }
}

/**
 * POSTs a JSON `body` to the collector over HTTP/1.1 and resolves to the status code. Written
 * by hand because `fetch` may not set the `Host` header, which Envoy sends as
 * `collector_hostname`.
 */
export async function postJson(c: Collector, body: string, timeoutMs: number): Promise<number> {
  const conn = await Deno.connect({ hostname: c.host, port: c.port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const payload = new TextEncoder().encode(body);
    const head = `POST ${c.endpoint} HTTP/1.1\r\nHost: ${c.hostname}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n` +
      `Connection: close\r\n\r\n`;
    const request = new Uint8Array(head.length + payload.length);
    request.set(new TextEncoder().encode(head));
    request.set(payload, head.length);
    for (let at = 0; at < request.length;) at += await conn.write(request.subarray(at));
    const buf = new Uint8Array(64);
    let got = "";
    while (!got.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(got);
    if (!status) throw new Error(`Cannot read the collector's answer: "${got.slice(0, 40)}"`);
    return Number(status[1]);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}
