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
  #server: Deno.TcpListener | undefined;
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

  /** Binds the socket; returns the bound port. */
  listen(): number {
    const options: Deno.TcpListenOptions = { hostname: this.model.address, port: this.model.port };
    if (this.core.options.reusePort) options.reusePort = true;
    this.#server = Deno.listen(options);
    this.#accept(this.#server);
    return (this.#server.addr as Deno.NetAddr).port;
  }

  async #accept(server: Deno.TcpListener): Promise<void> {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await server.accept();
      } catch {
        return; // closed
      }
      if (this.#draining) {
        conn.close();
        continue;
      }
      const down = new Downstream(this, conn);
      this.downstreams.add(down);
      down.run().finally(() => this.downstreams.delete(down));
    }
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
    try {
      this.#server?.close();
    } catch { /* already closed */ }
    this.#server = undefined;
  }
}
