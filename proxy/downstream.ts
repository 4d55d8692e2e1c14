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
import type { ErrorType, Message } from "../codecs/codec.ts";
import { accessLogEntry } from "./access_log_entry.ts";
import { collectorOf, finishSpan } from "./tracing/mod.ts";
import type { Exchange } from "./exchange.ts";
import { InFlightList } from "./in_flight.ts";
import type { Listener } from "./listener.ts";
import { now, tick } from "./net/clock.ts";
import { ReadBuffer, release } from "./net/read_buffer.ts";
import { WriteQueue } from "./net/write_queue.ts";
import { handleMessage } from "./request_path.ts";
import { downstreamBytes, upstreamBytes } from "./rewrite.ts";
import type { UpstreamConnection } from "./upstream/upstream_connection.ts";

/** Requests one connection may have in flight before reading pauses. */
export const MAX_IN_FLIGHT = 256;
/** Read chunk size of a client connection: many connections, small frames. */
const DOWNSTREAM_CHUNK_SIZE = 16 * 1024;

function address(a: Deno.Addr): string {
  const n = a as Deno.NetAddr;
  return n.hostname.includes(":") ? `[${n.hostname}]:${n.port}` : `${n.hostname}:${n.port}`;
}

/** See the module doc. */
export class Downstream {
  readonly listener: Listener;
  readonly conn: Deno.TcpConn;
  /** Exchanges in flight. */
  readonly active = new InFlightList<Exchange>();
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
    const rb = new ReadBuffer(DOWNSTREAM_CHUNK_SIZE);
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
        this.#lastActivity = tick();
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
      const hold = rb.hold();
      if (!handleMessage(this, r.message, hold)) release(hold);
    }
    return 0;
  }

  /** Whether the connection still takes requests and replies. */
  get open(): boolean {
    return this.#state !== "closed" && this.#state !== "closing";
  }

  /** Queues bytes for the client (a copy is taken). */
  write(bytes: Uint8Array): void {
    this.#queue.push(bytes);
  }

  /** Registers a started exchange as in flight. */
  admit(ex: Exchange): void {
    this.active.add(ex);
    this.listener.stats.requestActive.add(1);
  }

  /** A slow upstream: stop taking requests from this client until `conn` catches up. */
  blockOn(conn: UpstreamConnection): void {
    if (this.#blocked) return;
    this.#blocked = conn.belowLow().then(() => {
      this.#blocked = undefined;
    });
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
        now() - ex.startedAt,
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
    stats.requestTimeMs.record(now() - ex.startedAt);
    if (ex.hold) release(ex.hold);
    this.log(ex.request, ex, response, code, details);
    if (this.#resume && this.active.size < MAX_IN_FLIGHT / 2) {
      const r = this.#resume;
      this.#resume = undefined;
      r();
    }
    if (this.active.size === 0 && (this.#state === "half-closed" || this.#draining)) {
      this.#closeAfterFlush();
    }
  }

  /** Writes the access log entry of a finished (or locally answered) request. */
  log(
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
        this.listener.core.options.tracer?.report(
          collectorOf(this.listener.core.clusters, tracing),
          span,
        );
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
    for (const ex of this.active.takeAll()) {
      (by === "local" ? stats.cxDestroyLocalWithActiveRq : stats.cxDestroyRemoteWithActiveRq).inc();
      ex.abandon();
      if (ex.hold) release(ex.hold);
      stats.requestActive.add(-1);
    }
    this.#queue.close();
    try {
      this.conn.close();
    } catch { /* already closed */ }
    this.#resume?.();
    this.#markClosed();
  }
}
