/**
 * The live view of `aeraki local`: requests and errors per route and per subset, counted from
 * the proxy's per-request entries and turned into per-second rates on each tick.
 *
 * @module
 */
import type { AccessLogEntry, ListenerModel } from "../../proxy/config/model.ts";

/** One line of the view. */
export interface LiveRow {
  /** `route` rows are per MetaRouter route, `subset` rows per upstream cluster. */
  readonly kind: "route" | "subset";
  /** `listener route-name` or `host:port subset`. */
  readonly name: string;
  /** Requests since start. */
  readonly total: number;
  /** Errors (framework error replies) since start. */
  readonly errors: number;
  /** Requests in the last tick interval, per second. */
  readonly rps: number;
  /** Errors in the last tick interval, per second. */
  readonly errorRate: number;
}

interface Count {
  total: number;
  errors: number;
  lastTotal: number;
  lastErrors: number;
}

/** `outbound|9090|v1|hello.demo` → `hello.demo:9090 v1`; other names unchanged. */
export function subsetLabel(cluster: string): string {
  const parts = cluster.split("|");
  if (parts.length !== 4) return cluster;
  return `${parts[3]}:${parts[1]} ${parts[2] || "(all)"}`;
}

/**
 * Request and error counters by route and by subset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LiveCounters } from "./live_view.ts";
 * const live = new LiveCounters();
 * live.count("127.0.0.10_9090", "split", "outbound|9090|v1|hello", false);
 * const rows = live.tick(1000);
 * assert.deepEqual(rows.map((r) => [r.name, r.rps]), [
 *   ["127.0.0.10_9090 split", 1],
 *   ["hello:9090 v1", 1],
 * ]);
 * ```
 */
export class LiveCounters {
  readonly #routes = new Map<string, Count>();
  readonly #subsets = new Map<string, Count>();

  /** Counts one request of `listener` matched by `route` and sent to `cluster`. */
  count(listener: string, route: string, cluster: string, error: boolean): void {
    bump(this.#routes, `${listener} ${route || "(no route)"}`, error);
    if (cluster) bump(this.#subsets, subsetLabel(cluster), error);
  }

  /** Counts a proxy access-log entry (the proxy's `accessLog` callback shape). */
  readonly record = (listener: ListenerModel, _sink: number, entry: AccessLogEntry): void => {
    this.count(listener.name, entry.routeName, entry.upstreamCluster, entry.responseCode !== 0);
  };

  /** Requests since start per subset label, e.g. `hello.demo:9090 v1`. */
  subsetTotals(): Map<string, number> {
    return new Map([...this.#subsets].map(([k, v]) => [k, v.total]));
  }

  /** The rows with rates over the `elapsedMs` since the previous tick; sorted by name. */
  tick(elapsedMs: number): LiveRow[] {
    const rows = (kind: LiveRow["kind"], counts: Map<string, Count>) =>
      [...counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([name, c]) => {
        const seconds = Math.max(elapsedMs, 1) / 1000;
        const row = {
          kind,
          name,
          total: c.total,
          errors: c.errors,
          rps: (c.total - c.lastTotal) / seconds,
          errorRate: (c.errors - c.lastErrors) / seconds,
        };
        c.lastTotal = c.total;
        c.lastErrors = c.errors;
        return row;
      });
    return [...rows("route", this.#routes), ...rows("subset", this.#subsets)];
  }
}

function bump(counts: Map<string, Count>, key: string, error: boolean): void {
  let c = counts.get(key);
  if (!c) counts.set(key, c = { total: 0, errors: 0, lastTotal: 0, lastErrors: 0 });
  c.total++;
  if (error) c.errors++;
}

/** The view as text lines: a header, then route rows, then subset rows. */
export function renderLiveView(rows: readonly LiveRow[], status: string): string[] {
  const width = Math.max(24, ...rows.map((r) => r.name.length));
  const line = (r: LiveRow) =>
    `  ${r.name.padEnd(width)} ${r.rps.toFixed(0).padStart(7)} ${
      r.errorRate.toFixed(0).padStart(7)
    } ${String(r.total).padStart(10)} ${String(r.errors).padStart(8)}`;
  const head = (title: string) =>
    `${title.padEnd(width + 2)} ${"req/s".padStart(7)} ${"err/s".padStart(7)} ${
      "requests".padStart(10)
    } ${"errors".padStart(8)}`;
  const routes = rows.filter((r) => r.kind === "route");
  const subsets = rows.filter((r) => r.kind === "subset");
  return [
    status,
    head("route"),
    ...(routes.length ? routes.map(line) : ["  (no traffic yet)"]),
    head("subset"),
    ...(subsets.length ? subsets.map(line) : ["  (no traffic yet)"]),
  ];
}
