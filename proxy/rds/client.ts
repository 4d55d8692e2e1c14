/**
 * The RDS client (control-plane spec §5, data-plane spec §2.3): a state-of-the-world xDS
 * subscription by route-config name, over `RouteDiscoveryService/StreamRoutes` or the
 * bootstrap's ADS stream. Each accepted table is swapped into the running proxy (the next
 * request on every connection uses it; no connection is closed); a bad update is NACKed with
 * the error and the last good table stays. A broken stream reconnects with jittered
 * exponential backoff (Effect `Schedule`), resubscribing with the last accepted version.
 * EDS clusters subscribe on the same machinery (their own EDS stream, or the ADS stream that
 * also carries RDS) and get their endpoints replaced.
 *
 * @module
 */
import { Effect, Fiber } from "effect";
import type { DynamicRouteStatus } from "../admin/mod.ts";
import {
  compileClusterResource,
  type CompiledBootstrap,
  compileListenerResource,
  type ConfigSourceModel,
  type GrpcSourceModel,
} from "../bootstrap/mod.ts";
import type { ListenerModel, StatsSink } from "../config/model.ts";
import {
  type DynamicCluster,
  DynamicConfig,
  type SourceWatches,
  type XdsProxy,
} from "./dynamic.ts";
import { EdsState } from "./eds_state.ts";
import { SetState } from "./set_state.ts";
import { RdsState } from "./state.ts";
import { type StreamKind, XdsStream } from "./stream.ts";

/** Resource type of RDS: Envoy's HTTP route configuration (control-plane spec §5). */
export const ROUTE_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

/** Options of {@linkcode startXds}. */
export interface XdsOptions {
  /**
   * Where tables, clusters and listeners go and stats are counted. LDS needs
   * `updateListeners`/`removeListeners`, CDS `removeClusters`.
   */
  readonly proxy: XdsProxy & { readonly stats: StatsSink };
  /** Logs NACKs and reconnects. @default console.error */
  readonly log?: (line: string) => void;
  /** First reconnect delay (ms); doubles up to `maxBackoffMs`, jittered. @default 500 */
  readonly baseBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
  /**
   * How long a new cluster waits for its endpoints, a new listener for its routes, and a
   * table for the clusters it names (Envoy's `initial_fetch_timeout`). @default 15000
   */
  readonly warmingTimeoutMs?: number;
  /** Adjusts each listener that arrives over LDS before it runs (e.g. adds an access-log sink). */
  readonly mapListener?: (listener: ListenerModel) => ListenerModel;
}

/** The running xDS subscriptions of a bootstrap. */
export interface XdsClients {
  /** Per subscribed route name: version, update time, ACK/NACK state, last error. */
  status(): DynamicRouteStatus[];
  /**
   * Resolves `true` once the first listeners and clusters (LDS, CDS), every route table and
   * endpoint set they need arrived and nothing is warming; `false` after `timeoutMs`.
   */
  ready(timeoutMs: number): Promise<boolean>;
  /** Ends every stream; resolves once they are closed. */
  close(): Promise<void>;
}

interface Group extends SourceWatches {
  readonly stream: XdsStream;
}

function kindOf(s: ConfigSourceModel, own: StreamKind): StreamKind {
  return s.kind === "ads" ? "ads" : own;
}

/** The streams by config source, created as resources come to need them. */
class Streams {
  readonly #c: CompiledBootstrap;
  readonly #options: XdsOptions;
  readonly #log: (line: string) => void;
  readonly groups = new Map<string, Group>();
  readonly fibers: Fiber.Fiber<never>[] = [];
  dynamic!: DynamicConfig;

  constructor(c: CompiledBootstrap, options: XdsOptions, log: (line: string) => void) {
    this.#c = c;
    this.#options = options;
    this.#log = log;
  }

  /** The watches of `source` (`own` names the service of a non-ADS gRPC source). */
  group(source: ConfigSourceModel, own: StreamKind = "rds"): Group | undefined {
    const grpc: GrpcSourceModel | undefined = source.kind === "ads" ? this.#c.ads : source;
    if (!grpc) return undefined;
    const kind = kindOf(source, own);
    const key = JSON.stringify([kind, grpc]);
    let g = this.groups.get(key);
    if (!g) {
      const stream = new XdsStream(grpc, kind, this.#c, this.#log);
      g = {
        stream,
        rds: new RdsState(this.#options.proxy.stats, this.dynamic),
        eds: new EdsState(this.dynamic),
      };
      stream.onStart = () => {
        const run = stream.run(
          this.#options.baseBackoffMs ?? 500,
          this.#options.maxBackoffMs ?? 30_000,
        );
        this.fibers.push(Effect.runFork(run));
      };
      stream.add(g.rds);
      stream.add(g.eds);
      this.groups.set(key, g);
    }
    return g;
  }
}

function edsOf(c: CompiledBootstrap, name: string) {
  const e = c.eds.find((x) => x.cluster === name);
  return e ? { serviceName: e.serviceName, source: e.source } : undefined;
}

/**
 * Starts the xDS subscriptions of a bootstrap: RDS for its listeners, EDS for its EDS
 * clusters, and LDS/CDS when `dynamic_resources` asks for them, one stream per config
 * source (one ADS stream carries every type).
 */
export function startXds(c: CompiledBootstrap, options: XdsOptions): XdsClients {
  const log = options.log ?? ((l: string) => console.error(l));
  const streams = new Streams(c, options, log);
  const own = (s: ConfigSourceModel, kind: StreamKind) => streams.group(s, kind);
  // A gRPC (non-ADS) source has a service per type: RDS names on its RDS stream, EDS names
  // on its EDS stream. Streams open on first use.
  const watchesOf = (s: ConfigSourceModel): SourceWatches | undefined => {
    if (s.kind === "ads") return streams.group(s);
    const rds = own(s, "rds");
    const eds = own(s, "eds");
    return rds && eds ? { rds: rds.rds, eds: eds.eds } : undefined;
  };
  const dynamic = new DynamicConfig({
    proxy: options.proxy,
    watches: watchesOf,
    warmingTimeoutMs: options.warmingTimeoutMs ?? 15_000,
    log,
  });
  streams.dynamic = dynamic;
  dynamic.staticListeners(c.model.listeners);
  dynamic.staticClusters(c.model.clusters.map((cluster): DynamicCluster => {
    const eds = edsOf(c, cluster.name);
    return eds ? { cluster, eds } : { cluster };
  }));
  for (const sub of c.rds) {
    const listeners = c.model.listeners.filter((l) => sub.listeners.includes(l.name));
    watchesOf(sub.source)?.rds.add(sub.routeConfigName, listeners);
  }
  for (const e of c.eds) watchesOf(e.source)?.eds.add(e.serviceName, e.cluster);
  const sets: SetState<unknown>[] = [];
  if (c.cds) {
    const cds = new SetState<DynamicCluster>({
      kind: "CDS",
      compile: (json) => {
        const r = compileClusterResource(json);
        if (!r.ok) return r;
        const eds = r.eds ? { serviceName: r.eds.serviceName, source: r.eds.source } : undefined;
        return { ok: true, value: eds ? { cluster: r.cluster, eds } : { cluster: r.cluster } };
      },
      sink: (changed, removed) => dynamic.setClusters(changed, removed),
    });
    own(c.cds, "cds")?.stream.add(cds);
    sets.push(cds as SetState<unknown>);
  }
  if (c.lds) {
    const inputs = c.listenerInputs!;
    const lds = new SetState<ListenerModel>({
      kind: "LDS",
      compile: (json) => {
        const r = compileListenerResource(json, inputs);
        if (!r.ok) return r;
        return { ok: true, value: options.mapListener?.(r.listener) ?? r.listener };
      },
      sink: (changed, removed) => dynamic.setListeners(changed, removed),
    });
    own(c.lds, "lds")?.stream.add(lds);
    sets.push(lds as SetState<unknown>);
  }
  const isReady = () =>
    sets.every((s) => s.received) && dynamic.settled &&
    c.rds.every((r) => dynamic.hasTable(r.routeConfigName)) &&
    c.eds.every((e) => dynamic.hasEndpoints(e.serviceName));
  const waiters = new Set<() => void>();
  dynamic.onChange = () => {
    if (!isReady()) return;
    for (const w of waiters) w();
    waiters.clear();
  };
  return {
    status: () => [...streams.groups.values()].flatMap((g) => g.rds.status()),
    ready: (timeoutMs) => {
      if (isReady()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(done);
          resolve(false);
        }, timeoutMs);
        waiters.add(done);
      });
    },
    close: async () => {
      dynamic.close();
      await Effect.runPromise(Effect.forEach(streams.fibers, Fiber.interrupt, { discard: true }));
    },
  };
}
