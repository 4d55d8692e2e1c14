/**
 * The coordinator between the xDS watches and the running proxy, with Envoy's warming rules:
 *
 * - a new EDS cluster (or one whose service name changed) is added once its endpoints
 *   arrived; a changed cluster with known endpoints applies at once (in-flight requests keep
 *   their hosts); a removed cluster gets ClusterNotFound on its routes;
 * - a new or changed listener starts once its RDS table arrived; the old version keeps
 *   serving meanwhile; a removed one stops accepting and drains;
 * - a route table naming a cluster that is still warming waits for it, so no request is
 *   routed to a cluster the proxy does not have yet.
 *
 * Whatever still waits after the warming timeout (Envoy's `initial_fetch_timeout`) applies
 * as it is. Resources are subscribed where their config source says (ADS or their own
 * stream), and unsubscribed when nothing uses them.
 *
 * @module
 */
import type { ConfigSourceModel } from "../bootstrap/mod.ts";
import type {
  ClusterModel,
  DynamicControl,
  EndpointModel,
  ListenerModel,
  RouteTableModel,
} from "../config/model.ts";
import type { EdsState } from "./eds_state.ts";
import type { ApplyError } from "./set_state.ts";
import type { RdsState } from "./state.ts";

/** The watches of one config source. */
export interface SourceWatches {
  readonly rds: RdsState;
  readonly eds: EdsState;
}

/** A cluster from CDS with its EDS subscription. */
export interface DynamicCluster {
  readonly cluster: ClusterModel;
  readonly eds?: { readonly serviceName: string; readonly source: ConfigSourceModel };
}

/** What the coordinator drives: the proxy, with the LDS/CDS methods when those are used. */
export type XdsProxy =
  & Pick<DynamicControl, "updateRoutes" | "updateClusters">
  & Partial<DynamicControl>;

interface Waiting<T> {
  readonly value: T;
  readonly since: number;
}

function targets(table: RouteTableModel): string[] {
  return table.routes.flatMap((r) => {
    const t = r.action.target;
    return t.kind === "cluster" ? [t.name] : t.clusters.map((c) => c.name);
  });
}

function rdsOf(l: ListenerModel): { name: string; source: ConfigSourceModel } | undefined {
  return l.route.kind === "rds"
    ? { name: l.route.name, source: l.route.configSource as ConfigSourceModel }
    : undefined;
}

/** See the module doc. */
export class DynamicConfig {
  readonly #proxy: XdsProxy;
  readonly #watches: (source: ConfigSourceModel) => SourceWatches | undefined;
  readonly #timeoutMs: number;
  readonly #log: (line: string) => void;
  /** Clusters the proxy has (static and dynamic), by name. */
  readonly #clusters = new Map<string, DynamicCluster>();
  readonly #warmingClusters = new Map<string, Waiting<DynamicCluster>>();
  readonly #endpoints = new Map<string, readonly EndpointModel[]>();
  readonly #listeners = new Map<string, ListenerModel>();
  readonly #warmingListeners = new Map<string, Waiting<ListenerModel>>();
  readonly #tables = new Set<string>();
  readonly #deferred = new Map<string, Waiting<RouteTableModel>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #onChange: (() => void) | undefined;

  constructor(options: {
    proxy: XdsProxy;
    watches: (source: ConfigSourceModel) => SourceWatches | undefined;
    warmingTimeoutMs: number;
    log: (line: string) => void;
  }) {
    this.#proxy = options.proxy;
    this.#watches = options.watches;
    this.#timeoutMs = options.warmingTimeoutMs;
    this.#log = options.log;
  }

  /** Registers the bootstrap's own clusters (their EDS names are subscribed by the caller). */
  staticClusters(clusters: readonly DynamicCluster[]): void {
    for (const c of clusters) this.#clusters.set(c.cluster.name, c);
  }

  /** Registers the bootstrap's own listeners. */
  staticListeners(listeners: readonly ListenerModel[]): void {
    for (const l of listeners) this.#listeners.set(l.name, l);
  }

  /** Nothing waits: every cluster has endpoints, every listener and table is in force. */
  get settled(): boolean {
    return this.#warmingClusters.size === 0 && this.#warmingListeners.size === 0 &&
      this.#deferred.size === 0;
  }

  /** Called after every change (readiness checks). */
  set onChange(f: (() => void) | undefined) {
    this.#onChange = f;
  }

  /** Whether a table of `name` was applied. */
  hasTable(name: string): boolean {
    return this.#tables.has(name);
  }

  /** Whether endpoints of `serviceName` arrived. */
  hasEndpoints(serviceName: string): boolean {
    return this.#endpoints.has(serviceName);
  }

  // ---- CDS ----------------------------------------------------------------------------

  /** CDS changes. */
  setClusters(changed: readonly (readonly [string, DynamicCluster])[], removed: readonly string[]) {
    const now: ClusterModel[] = [];
    for (const [name, c] of changed) {
      const before = this.#clusters.get(name) ?? this.#warmingClusters.get(name)?.value;
      if (c.eds) this.#watches(c.eds.source)?.eds.add(c.eds.serviceName, name);
      this.#releaseEds(before, c);
      const known = c.eds ? this.#endpoints.get(c.eds.serviceName) : undefined;
      if (c.eds && !known) {
        this.#warmingClusters.set(name, { value: c, since: performance.now() });
        continue;
      }
      this.#warmingClusters.delete(name);
      const cluster = known ? { ...c.cluster, endpoints: known } : c.cluster;
      this.#clusters.set(name, { ...c, cluster });
      now.push(cluster);
    }
    if (now.length > 0) this.#proxy.updateClusters(now);
    const gone = removed.filter((n) => this.#clusters.has(n));
    for (const name of removed) {
      this.#releaseEds(this.#clusters.get(name) ?? this.#warmingClusters.get(name)?.value);
      this.#clusters.delete(name);
      this.#warmingClusters.delete(name);
    }
    if (gone.length > 0) this.#proxy.removeClusters?.(gone);
    this.#settle();
    return [] as ApplyError[];
  }

  #releaseEds(before: DynamicCluster | undefined, after?: DynamicCluster): void {
    const b = before?.eds;
    if (!b || (after?.eds?.serviceName === b.serviceName)) return;
    this.#watches(b.source)?.eds.release(b.serviceName, before.cluster.name);
  }

  /** EDS: endpoints of `serviceName` arrived. */
  endpoints(serviceName: string, endpoints: readonly EndpointModel[]): void {
    this.#endpoints.set(serviceName, endpoints);
    const updates: ClusterModel[] = [];
    for (const [name, w] of this.#warmingClusters) {
      if (w.value.eds?.serviceName !== serviceName) continue;
      this.#warmingClusters.delete(name);
      this.#clusters.set(name, w.value);
    }
    for (const [name, c] of this.#clusters) {
      const s = c.eds?.serviceName ?? c.cluster.edsServiceName;
      if (s !== serviceName) continue;
      const cluster = { ...c.cluster, endpoints };
      this.#clusters.set(name, { ...c, cluster });
      updates.push(cluster);
    }
    if (updates.length > 0) this.#proxy.updateClusters(updates);
    this.#settle();
  }

  // ---- LDS ----------------------------------------------------------------------------

  /** LDS changes; returns the listeners that could not start. */
  setListeners(
    changed: readonly (readonly [string, ListenerModel])[],
    removed: readonly string[],
  ): ApplyError[] {
    const errors: ApplyError[] = [];
    if (!this.#proxy.updateListeners) {
      return changed.map(([name]) => ({
        name,
        error: `Cannot apply listener "${name}": this proxy has no LDS`,
      }));
    }
    const ready: ListenerModel[] = [];
    for (const [name, l] of changed) {
      const rds = rdsOf(l);
      if (rds) this.#watches(rds.source)?.rds.add(rds.name, [l]);
      this.#releaseRds(this.#listeners.get(name) ?? this.#warmingListeners.get(name)?.value, l);
      if (rds && !this.#tables.has(rds.name)) {
        this.#warmingListeners.set(name, { value: l, since: performance.now() });
      } else {
        this.#warmingListeners.delete(name);
        ready.push(l);
      }
    }
    errors.push(...this.#start(ready));
    const gone = removed.filter((n) => this.#listeners.has(n));
    for (const name of removed) {
      this.#releaseRds(this.#listeners.get(name) ?? this.#warmingListeners.get(name)?.value);
      this.#listeners.delete(name);
      this.#warmingListeners.delete(name);
    }
    if (gone.length > 0) this.#proxy.removeListeners?.(gone);
    this.#settle();
    return errors;
  }

  #start(listeners: readonly ListenerModel[]): ApplyError[] {
    if (listeners.length === 0) return [];
    const failed = this.#proxy.updateListeners!(listeners);
    const errors: ApplyError[] = [];
    for (const l of listeners) {
      const error = failed.find((e) => e.includes(`"${l.name}"`));
      if (error) errors.push({ name: l.name, error });
      else this.#listeners.set(l.name, l);
    }
    for (const e of errors) this.#log(e.error);
    return errors;
  }

  #releaseRds(before: ListenerModel | undefined, after?: ListenerModel): void {
    const b = before ? rdsOf(before) : undefined;
    if (!b || (after && rdsOf(after)?.name === b.name)) return;
    this.#watches(b.source)?.rds.release(b.name, before!.name);
  }

  // ---- RDS ----------------------------------------------------------------------------

  /** RDS: a table arrived; it waits while it names a warming cluster. */
  applyTable(table: RouteTableModel): void {
    if (targets(table).some((n) => this.#warmingClusters.has(n))) {
      this.#deferred.set(table.name, { value: table, since: performance.now() });
    } else {
      this.#deferred.delete(table.name);
      this.#proxy.updateRoutes(table);
      this.#tables.add(table.name);
    }
    this.#settle();
  }

  // ---- warming ------------------------------------------------------------------------

  /** Applies what no longer waits, or waited longer than the timeout. */
  #settle(): void {
    const now = performance.now();
    const expired = (w: Waiting<unknown>) => now - w.since >= this.#timeoutMs;
    for (const [name, w] of this.#warmingClusters) {
      if (!expired(w)) continue;
      this.#log(`Adding cluster "${name}" without endpoints: EDS sent none in time`);
      this.#warmingClusters.delete(name);
      this.#clusters.set(name, w.value);
      this.#proxy.updateClusters([w.value.cluster]);
    }
    for (const [name, w] of this.#deferred) {
      if (!expired(w) && targets(w.value).some((n) => this.#warmingClusters.has(n))) continue;
      this.#deferred.delete(name);
      this.#proxy.updateRoutes(w.value);
      this.#tables.add(name);
    }
    const ready: ListenerModel[] = [];
    for (const [name, w] of this.#warmingListeners) {
      const rds = rdsOf(w.value);
      if (rds && !this.#tables.has(rds.name) && !expired(w)) continue;
      if (rds && !this.#tables.has(rds.name)) {
        this.#log(`Starting listener "${name}" without routes: RDS sent none in time`);
      }
      this.#warmingListeners.delete(name);
      ready.push(w.value);
    }
    this.#start(ready);
    this.#arm();
    this.#onChange?.();
  }

  #arm(): void {
    if (this.settled) {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#settle(), Math.min(1000, this.#timeoutMs / 2));
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Stops the warming timer. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
