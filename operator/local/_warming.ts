/**
 * Warming, as Envoy does it: a new proxy's xDS subscriptions start before its listeners
 * bind, and the listeners open only once every route table and every EDS cluster's endpoints
 * arrived, so no connection ever meets a listener without routes. Until then the updates are
 * recorded; afterwards they are passed on to the running proxy.
 *
 * @module
 */
import type { CompiledBootstrap } from "../../proxy/bootstrap/mod.ts";
import type {
  ClusterModel,
  ProxyControl,
  RouteTableModel,
  StatsSink,
} from "../../proxy/config/model.ts";

/** A {@link ProxyControl} that records updates until a proxy is attached. */
export class WarmingControl implements ProxyControl {
  readonly stats: StatsSink;
  readonly tables = new Map<string, RouteTableModel>();
  readonly clusters = new Map<string, ClusterModel>();
  readonly #routes: ReadonlySet<string>;
  readonly #eds: ReadonlySet<string>;
  #target: ProxyControl | undefined;
  /** Names updated after {@link warmed} took its copy, flushed by {@link attach}. */
  #late: { tables: Set<string>; clusters: Set<string> } | undefined;
  #onReady: (() => void) | undefined;

  /** Records the updates of the subscriptions of `compiled`. */
  constructor(compiled: CompiledBootstrap, stats: StatsSink) {
    this.stats = stats;
    this.#routes = new Set(compiled.rds.map((r) => r.routeConfigName));
    this.#eds = new Set(compiled.eds.map((e) => e.cluster));
  }

  /** Every subscribed route table and EDS cluster has arrived. */
  get ready(): boolean {
    return [...this.#routes].every((n) => this.tables.has(n)) &&
      [...this.#eds].every((n) => this.clusters.has(n));
  }

  /** Resolves `true` once {@link ready}, or `false` after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#onReady = undefined;
        resolve(false);
      }, timeoutMs);
      this.#onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** The compiled model with the received tables and endpoints in place. */
  warmed(compiled: CompiledBootstrap): CompiledBootstrap["model"] {
    const clusters = compiled.model.clusters.map((c) => this.clusters.get(c.name) ?? c);
    this.#late = { tables: new Set(), clusters: new Set() };
    return { ...compiled.model, clusters, routeTables: [...this.tables.values()] };
  }

  /** From now on, updates go to `target` too. */
  attach(target: ProxyControl): void {
    this.#target = target;
    const late = this.#late;
    this.#late = undefined;
    for (const name of late?.tables ?? []) target.updateRoutes(this.tables.get(name)!);
    const clusters = [...late?.clusters ?? []].map((name) => this.clusters.get(name)!);
    if (clusters.length > 0) target.updateClusters(clusters);
  }

  updateRoutes(table: RouteTableModel): void {
    this.tables.set(table.name, table);
    this.#late?.tables.add(table.name);
    this.#target?.updateRoutes(table);
    this.#check();
  }

  updateClusters(clusters: readonly ClusterModel[], options?: { replaceAll?: boolean }): void {
    for (const c of clusters) {
      this.clusters.set(c.name, c);
      this.#late?.clusters.add(c.name);
    }
    this.#target?.updateClusters(clusters, options);
    this.#check();
  }

  #check(): void {
    if (this.#onReady && this.ready) {
      const done = this.#onReady;
      this.#onReady = undefined;
      done();
    }
  }
}
