/**
 * State shared by every listener of one proxy: clusters, named route tables, the stats sink,
 * the options (access log, rate-limit hook) and the request-timeout wheel. Swapped at run
 * time by {@link ProxyCore.updateRoutes} / {@link ProxyCore.updateClusters}; the next
 * message sees the new state.
 *
 * @module
 */
import type { ClusterModel, ProxyOptions, RouteTableModel, StatsSink } from "./config/model.ts";
import { RouteTable } from "./route/route_table.ts";
import { Cluster } from "./upstream/cluster.ts";

/** Something with a deadline the wheel can fire. */
export interface Deadline {
  /** performance.now() at which {@link Deadline.expire} should run; 0 = none. */
  deadline: number;
  expire(now: number): void;
}

/**
 * Request deadlines without a timer per request: entries are queued per timeout length (so
 * each queue is ordered by deadline) and a 5 ms tick fires the due ones. An entry whose
 * `deadline` changed since it was queued (finished, or re-armed) is skipped.
 */
export class TimeoutWheel {
  readonly #queues = new Map<number, { items: Deadline[]; at: number[]; head: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #size = 0;

  /** Fires `d.expire` once `d.deadline` (set to now + `ms`) passes, if unchanged then. */
  add(d: Deadline, ms: number): void {
    let q = this.#queues.get(ms);
    if (!q) this.#queues.set(ms, q = { items: [], at: [], head: 0 });
    q.items.push(d);
    q.at.push(d.deadline);
    this.#size++;
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), 5);
      Deno.unrefTimer(this.#timer as unknown as number);
    }
  }

  #tick(): void {
    const now = performance.now();
    for (const q of this.#queues.values()) {
      while (q.head < q.items.length && q.at[q.head] <= now) {
        const d = q.items[q.head];
        const at = q.at[q.head];
        q.head++;
        this.#size--;
        if (d.deadline === at) d.expire(now);
      }
      if (q.head > 1024 && q.head * 2 > q.items.length) {
        q.items.splice(0, q.head);
        q.at.splice(0, q.head);
        q.head = 0;
      }
    }
    if (this.#size === 0) this.stop();
  }

  /** Stops the tick (queued entries no longer fire). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** See the module doc. */
export class ProxyCore {
  readonly stats: StatsSink;
  readonly options: ProxyOptions;
  readonly clusters = new Map<string, Cluster>();
  readonly tables = new Map<string, RouteTable>();
  readonly wheel = new TimeoutWheel();
  /** Bumped on every route change, so listeners can cache their table. */
  routeVersion = 0;

  constructor(stats: StatsSink, options: ProxyOptions) {
    this.stats = stats;
    this.options = options;
  }

  /** Installs or replaces the named table `table.name`. Throws on an invalid regex. */
  updateRoutes(table: RouteTableModel): void {
    this.tables.set(table.name, new RouteTable(table));
    this.routeVersion++;
  }

  /** Adds or replaces clusters; `replaceAll` removes the others. */
  updateClusters(models: readonly ClusterModel[], replaceAll = false): void {
    const seen = new Set<string>();
    for (const m of models) {
      seen.add(m.name);
      const c = this.clusters.get(m.name);
      if (c) c.update(m);
      else this.clusters.set(m.name, new Cluster(m, this.stats));
    }
    if (!replaceAll) return;
    this.removeClusters([...this.clusters.keys()].filter((name) => !seen.has(name)));
  }

  /**
   * Removes clusters: the next request routed to one gets ClusterNotFound; requests in
   * flight finish on their connections, which close once idle.
   */
  removeClusters(names: readonly string[]): void {
    for (const name of names) {
      const c = this.clusters.get(name);
      if (!c) continue;
      for (const h of c.hosts) c.retire(h);
      this.clusters.delete(name);
    }
  }

  /** Closes every upstream connection and stops timers. */
  close(): void {
    this.wheel.stop();
    for (const c of this.clusters.values()) c.closeAll();
  }
}
