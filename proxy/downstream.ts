/**
 * One downstream connection: reads into a {@link ReadBuffer}, decodes messages, answers
 * heartbeats, runs the filter chain and the router per message, and writes responses and
 * local replies through a coalescing {@link WriteQueue}. Garbage from the client closes
 * this connection only; every request gets a response or a protocol error reply.
 *
 * Backpressure: reading pauses while too many requests are in flight or the replies
 * waiting for the client pass the high watermark, so a client that stops reading holds a
 * bounded amount of memory.
 *
 * @module
 */
import type { ErrorType, Message, Mutation } from "../codecs/codec.ts";
import { accessLogEntry } from "./access_log_entry.ts";
import { type Collector, finishSpan, traceRequest, type TracingModel } from "./tracing/mod.ts";
import type { GlobalRateLimitFilterModel } from "./config/model.ts";
import { Exchange, random32 } from "./exchange.ts";
import type { Listener } from "./listener.ts";
import { ReadBuffer } from "./net/read_buffer.ts";
import { WriteQueue } from "./net/write_queue.ts";
import { askRateLimit } from "./filters/global_ratelimit.ts";
import { mirror } from "./mirror.ts";
import { downstreamBytes, upstreamBytes } from "./rewrite.ts";
import { type CompiledRoute, matchesAll, shouldMirror } from "./route/route_table.ts";
import type { UpstreamConnection } from "./upstream/upstream_connection.ts";

/** Requests one connection may have in flight before reading pauses. */
export const MAX_IN_FLIGHT = 256;

const REQUEST_ID = "x-request-id";

function address(a: Deno.Addr): string {
  const n = a as Deno.NetAddr;
  return n.hostname.includes(":") ? `[${n.hostname}]:${n.port}` : `${n.hostname}:${n.port}`;
}

/** See the module doc. */
export class Downstream {
  readonly listener: Listener;
  readonly conn: Deno.TcpConn;
  readonly active = new Set<Exchange>();
  /** Resolves when the connection is closed. */
  readonly closed: Promise<void>;
  readonly localAddress: string;
  readonly remoteAddress: string;
  #queue: WriteQueue;
  #state: "open" | "half-closed" | "closing" | "closed" = "open";
  #draining = false;
  #paused = false;
  /** Set while an upstream this connection writes to is above its watermark. */
  #blocked: Promise<void> | undefined;
  #resume: (() => void) | undefined;
  #lastActivity = performance.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #markClosed!: () => void;

  constructor(listener: Listener, conn: Deno.TcpConn) {
    this.listener = listener;
    this.conn = conn;
    conn.setNoDelay(true);
    this.localAddress = address(conn.localAddr);
    this.remoteAddress = address(conn.remoteAddr);
    this.#queue = new WriteQueue(conn, () => this.close("remote"));
    this.closed = new Promise((resolve) => this.#markClosed = resolve);
  }

  /** The read loop; resolves when the connection is closed. Never rejects. */
  async run(): Promise<void> {
    this.#armIdle();
    const rb = new ReadBuffer();
    let need = 0;
    try {
      while (this.#state === "open") {
        if (this.active.size >= MAX_IN_FLIGHT) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          continue;
        }
        if (this.#queue.high) await this.#queue.belowLow();
        if (this.#blocked) await this.#blocked;
        if (this.#state !== "open") break;
        // Frames left undecoded by a pause come first.
        if (rb.size > 0 && need <= rb.size && this.#paused) {
          this.#paused = false;
          need = this.#dispatch(rb);
          continue;
        }
        const n = await this.conn.read(rb.space(need));
        if (n === null) {
          this.#halfClose();
          break;
        }
        this.#lastActivity = performance.now();
        rb.filled(n);
        need = this.#dispatch(rb);
      }
    } catch {
      this.close("remote");
    }
    await this.closed;
  }

  /** Decodes and handles every complete message; returns the frame size needed next. */
  #dispatch(rb: ReadBuffer): number {
    const codec = this.listener.codec;
    const options = this.listener.decodeOptions;
    while (rb.size > 0 && this.#state === "open") {
      if (this.active.size >= MAX_IN_FLIGHT || this.#queue.high || this.#blocked) {
        // Backpressure: leave the rest buffered until replies drain.
        this.#paused = true;
        return 0;
      }
      const r = codec.decode(rb.pending, options);
      if (r.kind === "need-more") return r.frameSize ?? 0;
      if (r.kind === "invalid") {
        this.listener.stats.requestDecodingError.inc();
        this.close("local");
        return 0;
      }
      rb.consume(r.bytesConsumed);
      this.#onMessage(r.message);
    }
    return 0;
  }

  #onMessage(m: Message): void {
    const stats = this.listener.stats;
    if (m.type === "heartbeat") {
      stats.requestEvent.inc();
      const reply = this.listener.codec.heartbeatReply(m);
      if (reply) this.#queue.push(reply);
      return;
    }
    stats.requestDecodingSuccess.inc();
    if (m.type !== "request" && m.type !== "oneway") {
      if (m.type === "stream_init") {
        this.localReply(
          m,
          "Unspecified",
          "meta protocol router: streaming calls are not supported",
        );
      }
      return; // stream frames and stray responses are dropped
    }
    const table = this.listener.routeTable();
    const route = table?.match(m.metadata, this.listener.model.protocol);
    if (!route) {
      this.#log(m, undefined, undefined, 1, "no_matched_route");
      this.localReply(
        m,
        "RouteNotFound",
        `meta protocol router: no matched route for request '${m.requestId}'`,
      );
      return;
    }
    this.#filters(m, route, 0, undefined);
  }

  /** Runs the filter chain from filter `from`; `extra` collects filter-added mutation. */
  #filters(
    m: Message,
    route: CompiledRoute,
    from: number,
    extra: Map<string, string> | undefined,
  ): void {
    const filters = this.listener.filters;
    for (let i = from; i < filters.length; i++) {
      const f = filters[i];
      switch (f.kind) {
        case "local_ratelimit":
          if (!f.limiter.allow(m.metadata)) {
            return this.localReply(
              m,
              "OverLimit",
              `meta protocol local rate limit: request '${m.requestId}' has been rate limited`,
            );
          }
          break;
        case "ratelimit":
          if (
            f.matchers.length > 0 &&
            matchesAll(f.matchers, m.metadata, this.listener.model.protocol)
          ) {
            return this.#globalRateLimit(m, route, i, extra, f.model);
          }
          break;
        case "metadata_exchange":
          if (this.listener.model.direction === "outbound") {
            extra ??= new Map();
            extra.set("x-envoy-peer-metadata", f.model.peerMetadata);
            extra.set("x-envoy-peer-metadata-id", f.model.peerMetadataId);
          }
          break;
        case "router":
          return this.#route(m, route, extra);
      }
    }
    this.#route(m, route, extra);
  }

  #globalRateLimit(
    m: Message,
    route: CompiledRoute,
    index: number,
    extra: Map<string, string> | undefined,
    model: GlobalRateLimitFilterModel,
  ): void {
    askRateLimit(this.listener.core.options.rateLimit, model, m.metadata).then((allowed) => {
      if (this.#state === "closed" || this.#state === "closing") return;
      if (allowed) return this.#filters(m, route, index + 1, extra);
      this.localReply(
        m,
        "OverLimit",
        `meta protocol global ratelimit: request '${m.requestId}' has been rate limited`,
      );
    });
  }

  /** The router: builds the mutation, starts the exchange and the mirrors. */
  #route(m: Message, route: CompiledRoute, extra: Map<string, string> | undefined): void {
    const stats = this.listener.stats;
    stats.request.inc();
    if (m.type === "oneway") stats.requestOneway.inc();
    else stats.requestTwoway.inc();
    let mutation: Mutation = route.requestMutation;
    // A generated id is only worth its cost where it can go: into the message (a codec
    // that can carry headers) or into the access log.
    const needsId = m.metadata.get(REQUEST_ID) === undefined &&
      (this.listener.model.accessLogs.length > 0 ||
        this.listener.codec.canMutate?.(m) !== false);
    const tracing = this.listener.tracing;
    if (needsId || extra || tracing) {
      const mm = new Map<string, string>();
      if (needsId) mm.set(REQUEST_ID, crypto.randomUUID());
      if (extra) { for (const [k, v] of extra) mm.set(k, v); }
      for (const [k, v] of route.requestMutation) mm.set(k, v);
      if (tracing) traceRequest(tracing, m.metadata, mm);
      mutation = mm;
    }
    const ex = new Exchange(this, m, route, mutation);
    this.active.add(ex);
    stats.requestActive.add(1);
    for (const policy of route.mirrors) {
      if (shouldMirror(policy, random32())) mirror(this.listener, m, mutation, policy.cluster);
    }
    ex.start();
    const conn = ex.conn;
    if (conn && conn.high && !this.#blocked) {
      // A slow upstream: stop taking requests from this client until it catches up.
      this.#blocked = conn.belowLow().then(() => {
        this.#blocked = undefined;
      });
    }
  }

  /** The bytes to send upstream for `ex` on `conn` (see {@link upstreamBytes}). */
  requestBytes(ex: Exchange, conn: UpstreamConnection): Uint8Array | undefined {
    return upstreamBytes(this.listener, ex, conn);
  }

  /** A response for `ex` arrived (on a shared connection when `shared`). */
  respond(ex: Exchange, response: Message, shared: boolean): void {
    const stats = this.listener.stats;
    const bytes = downstreamBytes(this.listener, ex, response, shared);
    if (bytes === undefined) {
      stats.responseDecodingError.inc();
      return this.failed(
        ex,
        "BadResponse",
        "meta protocol router: cannot restore the request id",
        "upstream_reset",
      );
    }
    stats.response.inc();
    stats.responseDecodingSuccess.inc();
    if (response.type === "error") stats.responseBusinessException.inc();
    if (response.status === "ok") stats.responseSuccess.inc();
    else stats.responseError.inc();
    const istio = this.listener.istioStats;
    for (let i = 0; i < istio.length; i++) {
      istio[i].record(
        ex.clusterName,
        response.status === "ok" ? 0 : 1,
        performance.now() - ex.startedAt,
        ex.request.frame.length,
        response.frame.length,
      );
    }
    if (this.#state === "closed") stats.responseErrorCausedConnectionClose.inc();
    else this.#queue.push(bytes);
    this.#finish(ex, response, 0, "");
  }

  /** `ex` ended in a local error reply. */
  failed(ex: Exchange, type: ErrorType, text: string, details: string): void {
    if (!ex.oneway) this.localReply(ex.request, type, text);
    this.#finish(ex, undefined, 1, details);
  }

  /** A oneway request was written upstream. */
  onewayDone(ex: Exchange): void {
    this.#finish(ex, undefined, 0, "");
  }

  /** Writes the codec's error reply to `request`. Oneway requests get none. */
  localReply(request: Message, type: ErrorType, text: string): void {
    if (request.type === "oneway" || this.#state === "closed") return;
    const bytes = this.listener.codec.errorReply(request, { type, message: text });
    this.listener.stats.localResponseBusinessException.inc();
    this.#queue.push(bytes);
  }

  #finish(ex: Exchange, response: Message | undefined, code: 0 | 1, details: string): void {
    if (!this.active.delete(ex)) return;
    ex.endAccounting();
    const stats = this.listener.stats;
    stats.requestActive.add(-1);
    stats.requestTimeMs.record(performance.now() - ex.startedAt);
    this.#log(ex.request, ex, response, code, details);
    if (this.#resume && this.active.size < MAX_IN_FLIGHT / 2) {
      const r = this.#resume;
      this.#resume = undefined;
      r();
    }
    if (this.active.size === 0 && (this.#state === "half-closed" || this.#draining)) {
      this.#closeAfterFlush();
    }
  }

  #log(
    m: Message,
    ex: Exchange | undefined,
    response: Message | undefined,
    code: 0 | 1,
    details: string,
  ): void {
    const tracing = this.listener.tracing;
    if (tracing && ex) {
      const span = finishSpan(
        tracing,
        this.listener.model.direction,
        ex.mutation,
        () => accessLogEntry(this, m, ex, response, code, details),
      );
      if (span) {
        this.listener.core.options.tracer?.report(collectorOf(this.listener, tracing), span);
      }
    }
    const sinks = this.listener.model.accessLogs;
    const callback = this.listener.core.options.accessLog;
    if (sinks.length === 0 || !callback) return;
    const entry = accessLogEntry(this, m, ex, response, code, details);
    for (let i = 0; i < sinks.length; i++) {
      try {
        callback(this.listener.model, i, entry);
      } catch { /* a sink must not break the data path */ }
    }
  }

  #armIdle(): void {
    const idle = this.listener.model.idleTimeoutMs ?? 0;
    if (idle <= 0) return;
    const check = () => {
      if (this.#state === "closed") return;
      // Upstream activity counts too: a connection waiting for replies is not idle (§9.8).
      if (this.active.size > 0) this.#lastActivity = performance.now();
      const left = this.#lastActivity + idle - performance.now();
      if (left > 0) {
        this.#idleTimer = setTimeout(check, left + 1);
        return;
      }
      this.listener.stats.idleTimeout.inc();
      this.close("local");
    };
    this.#idleTimer = setTimeout(check, idle);
  }

  /** The client finished sending: answer what is in flight, then close. */
  #halfClose(): void {
    if (this.#state !== "open") return;
    this.#state = "half-closed";
    if (this.active.size === 0) this.#closeAfterFlush();
  }

  /** Graceful drain: close once nothing is in flight. */
  drain(): void {
    this.#draining = true;
    if (this.active.size === 0) this.#closeAfterFlush();
  }

  async #closeAfterFlush(): Promise<void> {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.#state = "closing";
    await this.#queue.flushed();
    this.close("local");
  }

  /** Closes now; requests in flight are abandoned and counted. */
  close(by: "local" | "remote"): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#idleTimer);
    const stats = this.listener.stats;
    for (const ex of this.active) {
      (by === "local" ? stats.cxDestroyLocalWithActiveRq : stats.cxDestroyRemoteWithActiveRq).inc();
      ex.abandon();
      stats.requestActive.add(-1);
    }
    this.active.clear();
    this.#queue.close();
    try {
      this.conn.close();
    } catch { /* already closed */ }
    this.#resume?.();
    this.#markClosed();
  }
}

/** A host of the listener's Zipkin collector cluster, or `undefined` when it has none. */
function collectorOf(listener: Listener, t: TracingModel): Collector | undefined {
  const p = t.provider!;
  const host = listener.core.clusters.get(p.collectorCluster)?.pick(undefined, Math.random());
  return host && {
    host: host.address,
    port: host.port,
    hostname: p.collectorHostname,
    endpoint: p.collectorEndpoint,
  };
}
