/**
 * One upstream TCP connection: connects with the cluster's timeout, writes requests through
 * a coalescing queue and decodes responses with the listener's codec, handing each to the
 * request waiting for it. Exclusive connections carry one request at a time; shared
 * (multiplexed) ones carry many, told apart by the request ids the proxy assigned.
 *
 * Every way the connection can fail reaches each waiting request exactly once through
 * {@link InFlight.fail}; the connection never throws.
 *
 * @module
 */
import type { Codec, Message } from "../../codecs/codec.ts";
import { tick } from "../net/clock.ts";
import { ReadBuffer } from "../net/read_buffer.ts";
import { WriteQueue } from "../net/write_queue.ts";
import type { Cluster, Host } from "./cluster.ts";

/** How an upstream failure is reported to a request. */
export type UpstreamFailure =
  | "connect-failure"
  | "connect-timeout"
  | "reset"
  | "bad-response"
  | "local-close";

/** A request waiting on an upstream connection. */
export interface InFlight {
  /** The id the request carries upstream (shared connections). */
  upstreamId: number;
  /** Called once with the response (its frame is a view into the connection's buffer). */
  respond(response: Message, conn: UpstreamConnection): void;
  /** Called once when the connection cannot deliver a response. */
  fail(kind: UpstreamFailure, detail: string, sent: boolean): void;
  /** Called when the connection is established, right before the request bytes are queued. */
  connected?(conn: UpstreamConnection): void;
}

/** Options of an upstream connection. */
export interface UpstreamConnectionOptions {
  readonly shared: boolean;
  readonly maxFrameSize?: number;
  /** Called once when the connection is gone. */
  readonly onClose?: (conn: UpstreamConnection) => void;
}

const MAX_ID = 0x7fffffff;

/** See the module doc. */
export class UpstreamConnection {
  readonly host: Host;
  readonly cluster: Cluster;
  readonly shared: boolean;
  state: "connecting" | "open" | "closed" = "connecting";
  localAddress = "";
  readonly #codec: Codec;
  readonly #options: UpstreamConnectionOptions;
  #conn: Deno.TcpConn | undefined;
  #queue: WriteQueue | undefined;
  /** Requests waiting for the connection, with their bytes. */
  #waiting: [InFlight, Uint8Array, boolean][] = [];
  /** Shared: in-flight by upstream id. Exclusive: at most one, under key 0. */
  readonly #inFlight = new Map<number, InFlight>();
  #nextId = 1;
  #retire = false;
  readonly #decodeOptions: { side: "response"; maxFrameSize?: number };

  constructor(host: Host, cluster: Cluster, codec: Codec, options: UpstreamConnectionOptions) {
    this.host = host;
    this.cluster = cluster;
    this.shared = options.shared;
    this.#codec = codec;
    this.#options = options;
    this.#decodeOptions = { side: "response", maxFrameSize: options.maxFrameSize };
    host.activeConnections++;
    cluster.activeConnections++;
    cluster.stats.upstreamCxTotal.inc();
    cluster.stats.upstreamCxActive.add(1);
    this.#connect();
  }

  /** Whether the write queue is above its high watermark (the upstream reads slowly). */
  get high(): boolean {
    return this.#queue?.high ?? false;
  }

  /** Resolves once the write queue is at or below its low watermark (or closed). */
  belowLow(): Promise<void> {
    return this.#queue?.belowLow() ?? Promise.resolve();
  }

  /** Requests in flight or waiting. */
  get load(): number {
    return this.#inFlight.size + this.#waiting.length;
  }

  /** A fresh upstream id not in flight on this connection. */
  allocateId(): number {
    let id = this.#nextId;
    while (this.#inFlight.has(id)) id = id >= MAX_ID ? 1 : id + 1;
    this.#nextId = id >= MAX_ID ? 1 : id + 1;
    return id;
  }

  /** Sends `bytes` for `request`; `expectResponse` false (oneway) writes without waiting. */
  send(request: InFlight, bytes: Uint8Array, expectResponse: boolean): void {
    if (this.state === "closed") {
      request.fail("local-close", "connection closed", false);
      return;
    }
    if (this.state === "connecting") {
      // A oneway request ends (and releases its read chunk) before the connection opens.
      this.#waiting.push([request, expectResponse ? bytes : bytes.slice(), expectResponse]);
      return;
    }
    this.#start(request, bytes, expectResponse);
  }

  #start(request: InFlight, bytes: Uint8Array, expectResponse: boolean): void {
    if (expectResponse) this.#inFlight.set(this.shared ? request.upstreamId : 0, request);
    request.connected?.(this);
    this.#queue!.push(bytes);
  }

  /** Forgets `request` (timed out); a late response for it is dropped. */
  forget(request: InFlight): void {
    const i = this.#waiting.findIndex(([r]) => r === request);
    if (i >= 0) this.#waiting.splice(i, 1);
    const key = this.shared ? request.upstreamId : 0;
    if (this.#inFlight.get(key) === request) this.#inFlight.delete(key);
  }

  /** Closes after the last in-flight response (shared connections of a removed host). */
  retireWhenIdle(): void {
    this.#retire = true;
    if (this.load === 0) this.close();
  }

  /** Closes now; waiting and in-flight requests fail with `local-close`. */
  close(): void {
    this.#shutdown("local-close", "connection closed by the proxy");
  }

  async #connect(): Promise<void> {
    const timeoutMs = this.cluster.model.connectTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const connecting = Deno.connect({ hostname: this.host.address, port: this.host.port });
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve(undefined);
      }, timeoutMs);
    });
    try {
      const conn = await Promise.race([connecting, timeout]);
      if (conn === undefined) {
        connecting.then((c) => c.close(), () => {});
        this.cluster.stats.upstreamCxConnectTimeout.inc();
        return this.#shutdown("connect-timeout", "due to timeout");
      }
      if (this.state === "closed") return conn.close();
      conn.setNoDelay(true);
      this.#conn = conn;
      const local = conn.localAddr as Deno.NetAddr;
      this.localAddress = `${local.hostname}:${local.port}`;
      this.#queue = new WriteQueue(conn, () => this.#shutdown("reset", "write failed"));
      this.state = "open";
      for (const [request, bytes, expect] of this.#waiting.splice(0)) {
        this.#start(request, bytes, expect);
      }
      this.#readLoop(conn);
    } catch (error) {
      if (timedOut) return;
      this.cluster.stats.upstreamCxConnectFail.inc();
      const reason = error instanceof Error ? error.message : String(error);
      this.#shutdown("connect-failure", reason);
    } finally {
      clearTimeout(timer);
    }
  }

  async #readLoop(conn: Deno.TcpConn): Promise<void> {
    const rb = new ReadBuffer();
    let need = 0;
    try {
      while (this.state === "open") {
        const space = rb.space(need);
        const n = await conn.read(space);
        if (n === null) break;
        tick();
        rb.filled(n);
        need = this.#dispatch(rb);
        if (need < 0) return;
      }
      this.cluster.stats.upstreamCxDestroyRemote.inc();
      this.#shutdown("reset", "closed by the upstream");
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#shutdown("reset", reason);
    }
  }

  /** Decodes every complete response; returns the frame size needed next, or -1 if closed. */
  #dispatch(rb: ReadBuffer): number {
    while (rb.size > 0) {
      const r = this.#codec.decode(rb.pending, this.#decodeOptions);
      if (r.kind === "need-more") return r.frameSize ?? 0;
      if (r.kind === "invalid") {
        this.#shutdown("bad-response", r.reason);
        return -1;
      }
      rb.consume(r.bytesConsumed);
      const m = r.message;
      if (m.type === "heartbeat") continue; // upstream heartbeats are swallowed
      const key = this.shared ? Number(m.requestId) : 0;
      const request = this.#inFlight.get(key);
      if (request === undefined) continue; // timed out or unsolicited
      this.#inFlight.delete(key);
      request.respond(m, this);
      if (this.state !== "open") return -1;
    }
    if (this.#retire && this.load === 0) this.close();
    return 0;
  }

  #shutdown(kind: Parameters<InFlight["fail"]>[0], detail: string): void {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    this.#queue?.close();
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.host.activeConnections--;
    this.cluster.activeConnections--;
    this.cluster.stats.upstreamCxActive.add(-1);
    const waiting = this.#waiting.splice(0);
    const inFlight = [...this.#inFlight.values()];
    this.#inFlight.clear();
    this.#options.onClose?.(this);
    for (const [request] of waiting) request.fail(kind, detail, false);
    for (const request of inFlight) request.fail(kind, detail, wasOpen);
  }

  /** Queues raw bytes (used by mirrors and by requests already bound to this connection). */
  write(bytes: Uint8Array): void {
    this.#queue?.push(bytes);
  }
}
