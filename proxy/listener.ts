/**
 * A listener at run time: the TCP server socket, its codec, stats and compiled filters, and
 * the downstream connections it accepted. The route table is looked up per message (cached
 * per route-table version), so route updates apply to the next message on every connection.
 *
 * @module
 */
import type { TracingModel } from "./tracing/mod.ts";
import type { Codec } from "../codecs/codec.ts";
import type {
  GlobalRateLimitFilterModel,
  ListenerModel,
  MetadataExchangeFilterModel,
} from "./config/model.ts";
import type { ProxyCore } from "./core.ts";
import { Downstream } from "./downstream.ts";
import { ListenSocket } from "./listen_socket.ts";
import { IstioStats } from "./filters/istio_stats.ts";
import { LocalRateLimiter } from "./filters/local_ratelimit.ts";
import { compileMatchers } from "./route/route_table.ts";
import { RouteTable } from "./route/route_table.ts";
import { type ListenerStats, listenerStats } from "./stats.ts";

/** A filter of the chain, ready to run. */
export type CompiledFilter =
  | { readonly kind: "router" }
  | { readonly kind: "local_ratelimit"; readonly limiter: LocalRateLimiter }
  | {
    readonly kind: "ratelimit";
    readonly model: GlobalRateLimitFilterModel;
    readonly matchers: ReturnType<typeof compileMatchers>;
  }
  | { readonly kind: "metadata_exchange"; readonly model: MetadataExchangeFilterModel }
  | { readonly kind: "istio_stats"; readonly stats: IstioStats };

/** See the module doc. */
export class Listener {
  readonly model: ListenerModel;
  readonly core: ProxyCore;
  readonly codec: Codec;
  readonly stats: ListenerStats;
  readonly filters: readonly CompiledFilter[];
  /** Whether requests share upstream connections (the codec can rewrite request ids). */
  readonly mux: boolean;
  readonly downstreams = new Set<Downstream>();
  /** The istio_stats filters of the chain (run on every decoded response). */
  readonly istioStats: readonly IstioStats[];
  /** Keys written into every response (metadata_exchange on an inbound listener, §3.4). */
  readonly responseExtra: ReadonlyMap<string, string> | undefined;
  readonly decodeOptions: { side: "request"; maxFrameSize?: number };
  /** The listener's tracing, when it names a collector and the proxy has a reporter. */
  readonly tracing: TracingModel | undefined;
  #socket: ListenSocket | undefined;
  #onEmpty: (() => void) | undefined;
  #inline: RouteTable | undefined;
  #table: RouteTable | undefined;
  #tableVersion = -1;
  #draining = false;

  constructor(model: ListenerModel, codec: Codec, core: ProxyCore) {
    this.model = model;
    this.core = core;
    this.codec = codec;
    this.stats = listenerStats(core.stats, model.protocol, model.statPrefix);
    this.mux = model.multiplexing && codec.rewriteRequestId !== undefined;
    this.decodeOptions = { side: "request", maxFrameSize: model.maxFrameSize };
    const tracing = model.tracing as TracingModel | undefined;
    this.tracing = tracing?.provider && core.options.tracer ? tracing : undefined;
    if (model.route.kind === "inline") this.#inline = new RouteTable(model.route.table);
    this.filters = model.filters.map((f): CompiledFilter => {
      switch (f.kind) {
        case "local_ratelimit":
          return { kind: f.kind, limiter: new LocalRateLimiter(f, core.stats) };
        case "ratelimit":
          return { kind: f.kind, model: f, matchers: compileMatchers(f.match) };
        case "metadata_exchange":
          return { kind: f.kind, model: f };
        case "istio_stats":
          return { kind: f.kind, stats: new IstioStats(f, model, core.stats) };
        default:
          return { kind: f.kind };
      }
    });
    this.istioStats = this.filters.flatMap((f) => f.kind === "istio_stats" ? [f.stats] : []);
    const exchange = model.filters.find((f) => f.kind === "metadata_exchange");
    if (exchange && model.direction !== "outbound") {
      this.responseExtra = new Map([
        ["x-envoy-peer-metadata", exchange.peerMetadata],
        ["x-envoy-peer-metadata-id", exchange.peerMetadataId],
      ]);
    }
  }

  /** The route table for the next message, or undefined when an RDS table is not known yet. */
  routeTable(): RouteTable | undefined {
    const core = this.core;
    if (this.#tableVersion === core.routeVersion) return this.#table;
    const r = this.model.route;
    const named = core.tables.get(r.kind === "rds" ? r.name : r.table.name);
    this.#table = named ?? this.#inline;
    this.#tableVersion = core.routeVersion;
    return this.#table;
  }

  /** Binds the socket; returns the bound port. Throws when it cannot bind. */
  listen(): number {
    const options: Deno.TcpListenOptions = { hostname: this.model.address, port: this.model.port };
    if (this.core.options.reusePort) options.reusePort = true;
    this.#socket = new ListenSocket(Deno.listen(options), this);
    return this.#socket.port;
  }

  /**
   * Takes over the bound socket of `old` (a listener replaced by an update of the same
   * address): new connections come here from now on, `old` keeps its own. Returns the port.
   */
  takeOver(old: Listener): number {
    const socket = old.#socket!;
    old.#socket = undefined;
    socket.target = this;
    this.#socket = socket;
    return socket.port;
  }

  /** Whether this listener has a bound socket that `other`'s model could take over. */
  sameSocket(other: ListenerModel): boolean {
    return this.#socket !== undefined && other.address === this.model.address &&
      (other.port === this.model.port || (other.port === 0 && this.model.port === 0));
  }

  /** A connection the socket accepted. */
  accept(conn: Deno.TcpConn): void {
    if (this.#draining) {
      conn.close();
      return;
    }
    const down = new Downstream(this, conn);
    this.downstreams.add(down);
    down.run().finally(() => this.#forget(down));
  }

  /**
   * Retires a listener that was updated or removed (Envoy's listener drain): it accepts no
   * more, its connections keep serving on this (old) filter chain until they close or
   * `timeoutMs` passes; then they drain (close once nothing is in flight) within
   * `graceMs`, and what is left is closed.
   */
  async retire(timeoutMs: number, graceMs: number): Promise<void> {
    this.#closeServer();
    if (this.downstreams.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<void>((resolve) => this.#onEmpty = resolve);
      const timeout = new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs);
        Deno.unrefTimer(timer as unknown as number);
      });
      await Promise.race([idle, timeout]);
      clearTimeout(timer);
    }
    await this.drain(graceMs);
  }

  #forget(down: Downstream): void {
    this.downstreams.delete(down);
    if (this.downstreams.size === 0) this.#onEmpty?.();
  }

  /** Stops accepting; every connection closes once its in-flight requests are done. */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    this.#closeServer();
    const all = [...this.downstreams];
    for (const d of all) d.drain();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(all.map((d) => d.closed)),
      new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    this.close();
  }

  /** Closes the socket and every connection now. */
  close(): void {
    this.#draining = true;
    this.#closeServer();
    for (const d of [...this.downstreams]) d.close("local");
    for (const f of this.filters) if (f.kind === "local_ratelimit") f.limiter.close();
  }

  #closeServer(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }
}
