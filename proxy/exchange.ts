/**
 * One routed request on its way upstream and back (the router of spec §3.1): cluster and
 * host choice, circuit breakers, the upstream connection (exclusive or shared), request-id
 * rewriting for shared connections, the request timeout, retries and outlier accounting.
 * Every end of an exchange goes through {@link Exchange.respond} (a response) or a local
 * error reply; it ends exactly once.
 *
 * @module
 */
import type { Message, Mutation } from "../codecs/codec.ts";
import type { RetryPolicyModel } from "./config/model.ts";
import type { Deadline } from "./core.ts";
import type { Downstream } from "./downstream.ts";
import { now } from "./net/clock.ts";
import type { Hold } from "./net/read_buffer.ts";
import type { Listed } from "./in_flight.ts";
import { type CompiledRoute, hashKey, pickCluster } from "./route/route_table.ts";
import type { Cluster, Host } from "./upstream/cluster.ts";
import {
  type InFlight,
  UpstreamConnection,
  type UpstreamFailure,
} from "./upstream/upstream_connection.ts";

/** A random u32 (Math.random is fast and good enough for load balancing). */
export function random32(): number {
  return (Math.random() * 0x100000000) >>> 0;
}

/** See the module doc. */
export class Exchange implements InFlight, Deadline, Listed<Exchange> {
  readonly down: Downstream;
  readonly request: Message;
  readonly route: CompiledRoute;
  readonly mutation: Mutation;
  readonly oneway: boolean;
  readonly startedAt: number;
  upstreamId = 0;
  deadline = 0;
  done = false;
  tries = 0;
  clusterName = "";
  cluster: Cluster | undefined;
  host: Host | undefined;
  conn: UpstreamConnection | undefined;
  /** The downstream's in-flight list (see `Downstream.admit`). */
  prev: Exchange | undefined = undefined;
  next: Exchange | undefined = undefined;
  listed = false;
  /** Keeps the request's read chunk intact; released by the downstream when it ends. */
  hold: Hold | undefined = undefined;
  /** The local address of the upstream connection used, for the access log. */
  upstreamLocalAddress = "";
  #endAt = 0;
  #tryEndAt = 0;
  #counted = false;

  constructor(
    down: Downstream,
    request: Message,
    route: CompiledRoute,
    mutation: Mutation,
  ) {
    this.down = down;
    this.request = request;
    this.route = route;
    this.mutation = mutation;
    this.oneway = request.type === "oneway";
    this.startedAt = now();
    const timeout = route.model.action.timeoutMs || down.listener.model.requestTimeoutMs || 0;
    if (timeout > 0 && !this.oneway) this.#endAt = this.startedAt + timeout;
  }

  get #retryPolicy(): RetryPolicyModel | undefined {
    return this.route.model.action.retryPolicy;
  }

  /** Picks the cluster (once) and a host, and sends. */
  start(): void {
    const core = this.down.listener.core;
    if (this.clusterName === "") {
      this.clusterName = pickCluster(this.route, random32());
      this.cluster = core.clusters.get(this.clusterName);
    }
    const cluster = this.cluster;
    if (!cluster) {
      return this.#local(
        "ClusterNotFound",
        `meta protocol router: unknown cluster '${this.clusterName}'`,
        "unknown_cluster",
      );
    }
    const host = cluster.pick(hashKey(this.route, this.request.metadata), random32());
    if (!host) {
      return this.#local(
        "NoHealthyUpstream",
        `meta protocol router: no healthy upstream for '${this.clusterName}'`,
        "no_healthy_upstream",
      );
    }
    if (this.tries === 0 && cluster.activeRequests >= cluster.maxRequests) {
      cluster.stats.upstreamRqPendingOverflow.inc();
      return this.#local("Unspecified", "meta protocol upstream request: too many connections", "");
    }
    this.host = host;
    const conn = this.#connection(cluster, host);
    if (!conn) {
      cluster.stats.upstreamCxOverflow.inc();
      return this.#local("Unspecified", "meta protocol upstream request: too many connections", "");
    }
    if (!this.#counted) {
      this.#counted = true;
      cluster.activeRequests++;
      cluster.stats.upstreamRqTotal.inc();
      cluster.stats.upstreamRqActive.add(1);
    }
    host.activeRequests++;
    this.conn = conn;
    this.#arm();
    const bytes = this.down.requestBytes(this, conn);
    if (bytes === undefined) {
      return this.#local("Unspecified", "meta protocol router: cannot rewrite the request id", "");
    }
    conn.send(this, bytes, !this.oneway);
    if (this.oneway) this.#finishOneway(conn);
  }

  /** An open or connecting connection to `host`, or undefined when the breaker is open. */
  #connection(cluster: Cluster, host: Host): UpstreamConnection | undefined {
    const listener = this.down.listener;
    if (listener.mux && !this.oneway) {
      const shared = host.shared;
      for (let i = 0; i < shared.length; i++) {
        if (shared[i].state !== "closed") return shared[i];
      }
      if (cluster.activeConnections >= cluster.maxConnections) return undefined;
      const conn = new UpstreamConnection(host, cluster, listener.codec, {
        shared: true,
        maxFrameSize: listener.model.maxFrameSize,
        onClose: (c) => {
          const i = host.shared.indexOf(c);
          if (i >= 0) host.shared.splice(i, 1);
        },
      });
      shared.push(conn);
      return conn;
    }
    while (host.idle.length > 0) {
      const conn = host.idle.pop()!;
      if (conn.state !== "closed") return conn;
    }
    if (cluster.activeConnections >= cluster.maxConnections) return undefined;
    return new UpstreamConnection(host, cluster, listener.codec, {
      shared: false,
      maxFrameSize: listener.model.maxFrameSize,
    });
  }

  #arm(): void {
    const policy = this.#retryPolicy;
    const perTry = policy?.perTryTimeoutMs ?? 0;
    this.#tryEndAt = perTry > 0 ? performance.now() + perTry : 0;
    const d = this.#endAt === 0
      ? this.#tryEndAt
      : this.#tryEndAt === 0
      ? this.#endAt
      : Math.min(this.#endAt, this.#tryEndAt);
    if (d === 0) return;
    this.deadline = d;
    this.down.listener.core.wheel.add(this, Math.max(1, Math.ceil(d - performance.now())));
  }

  /** The wheel says the deadline passed. */
  expire(now: number): void {
    if (this.done) return;
    this.deadline = 0;
    const overall = this.#endAt !== 0 && now >= this.#endAt;
    const conn = this.conn;
    conn?.forget(this);
    // An exclusive connection still owes the response of the abandoned try.
    if (conn && !conn.shared) conn.close();
    this.#release();
    if (!overall && this.#retry("per-try-timeout", true)) return;
    this.cluster?.stats.upstreamRqTimeout.inc();
    this.down.listener.stats.requestTimeout.inc();
    const ms = Math.round(now - this.startedAt);
    this.#local(
      "Unspecified",
      `meta protocol router: request '${this.request.requestId}' timed out after ${ms}ms`,
      "upstream_response_timeout",
    );
  }

  /** A response arrived on `conn`. */
  respond(response: Message, conn: UpstreamConnection): void {
    if (this.done) return;
    this.upstreamLocalAddress = conn.localAddress;
    this.#release();
    const cluster = this.cluster!;
    const host = this.host!;
    if (!conn.shared && response.requestId !== this.request.requestId) {
      conn.close();
      cluster.failure(host);
      this.down.listener.stats.responseDecodingError.inc();
      const app = this.down.listener.model.protocol;
      return this.#local(
        "BadResponse",
        `meta protocol ${app} response: request ID is not equal, ${this.request.requestId}:${response.requestId}`,
        "upstream_reset",
      );
    }
    if (response.status === "error") cluster.failure(host);
    else cluster.success(host);
    if (!conn.shared) {
      // A removed endpoint's (or cluster's) connection is not reused: it closes when done.
      if (host.removed) conn.close();
      else host.idle.push(conn);
    }
    this.done = true;
    this.down.respond(this, response, conn.shared);
  }

  /** The connection failed before a response. */
  fail(kind: UpstreamFailure, detail: string, sent: boolean): void {
    if (this.done) return;
    this.#release();
    const host = this.host!;
    if (kind !== "local-close") this.cluster!.failure(host);
    if (kind === "bad-response") {
      this.down.listener.stats.responseDecodingError.inc();
      return this.#local("BadResponse", detail, "upstream_reset");
    }
    if (this.#retry(kind, sent)) return;
    const where = `'${host.key}'`;
    const text = kind === "connect-timeout"
      ? `meta protocol upstream request: connection failure ${where} due to timeout`
      : kind === "local-close"
      ? `meta protocol upstream request: local connection failure ${where}`
      : `meta protocol upstream request: remote connection failure ${where}`;
    this.#local("Unspecified", text, sent ? "upstream_response_incomplete" : "");
  }

  /** Starts another try when the policy allows; true if it did. */
  #retry(kind: UpstreamFailure | "per-try-timeout", sent: boolean): boolean {
    const policy = this.#retryPolicy;
    if (!policy || this.tries >= policy.numRetries || this.oneway) return false;
    if (sent && !policy.idempotent) return false;
    const on = policy.retryOn;
    const wanted = kind === "connect-failure" || kind === "connect-timeout"
      ? on.includes("connect-failure")
      : kind === "local-close"
      ? on.includes("refused-stream") || on.includes("reset")
      : on.includes("reset");
    if (!wanted && kind !== "per-try-timeout") return false;
    if (kind === "per-try-timeout" && !sent) return false;
    const cluster = this.cluster!;
    if (cluster.activeRetries >= cluster.maxRetries) return false;
    this.tries++;
    cluster.activeRetries++;
    cluster.stats.upstreamRqRetry.inc();
    this.down.listener.stats.requestRetry.inc();
    try {
      this.start();
    } finally {
      cluster.activeRetries--;
    }
    return true;
  }

  /** Undoes this try's host accounting (idempotent per try). */
  #release(): void {
    if (this.host && this.conn) {
      this.host.activeRequests--;
      this.conn = undefined;
    }
    this.deadline = 0;
  }

  #finishOneway(conn: UpstreamConnection): void {
    this.#release();
    if (!conn.shared && conn.state !== "closed") {
      if (this.host!.removed) conn.close();
      else this.host!.idle.push(conn);
    }
    this.done = true;
    this.down.onewayDone(this);
  }

  #local(type: Parameters<Downstream["localReply"]>[1], text: string, details: string): void {
    if (this.done) return;
    this.#release();
    this.done = true;
    this.down.failed(this, type, text, details);
  }

  /** The downstream went away: stop waiting (an exclusive connection cannot be reused). */
  abandon(): void {
    if (this.done) return;
    const conn = this.conn;
    this.#release();
    this.done = true;
    if (conn) {
      conn.forget(this);
      if (!conn.shared) conn.close();
    }
    this.endAccounting();
  }

  /** Cluster-level accounting at the end of the exchange (called by the downstream). */
  endAccounting(): void {
    const cluster = this.cluster;
    if (!cluster || !this.#counted) return;
    this.#counted = false;
    cluster.activeRequests--;
    cluster.stats.upstreamRqActive.add(-1);
  }
}
