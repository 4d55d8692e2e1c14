/**
 * `/stats` in Envoy's text form (`name: value`, sorted; histograms as quantiles) and JSON
 * form (`?format=json`), with Envoy's `filter` (RE2) and `usedonly` parameters.
 *
 * @module
 */
import { RE2JS } from "re2js";
import type { HistogramSummary, StatsSnapshot } from "../config/model.ts";

const QUANTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100];

/** Query parameters of `/stats`. */
export interface StatsQuery {
  /** RE2 pattern a name must contain (Envoy's `filter`). */
  readonly filter?: string;
  /** Only stats that were ever written (non-zero here). */
  readonly usedOnly?: boolean;
}

/** An upper-bound estimate of quantile `q` (0–100) from cumulative buckets. */
export function quantile(h: HistogramSummary, q: number): number | undefined {
  if (h.count === 0) return undefined;
  const rank = Math.max(1, Math.ceil((q / 100) * h.count));
  for (const b of h.buckets) if (b.count >= rank) return b.le;
  return Infinity;
}

function histogramText(h: HistogramSummary): string {
  if (h.count === 0) return "No recorded values";
  return QUANTILES.map((q) => {
    const v = quantile(h, q);
    return `P${q}(${v},${v})`;
  }).join(" ");
}

function selector(query: StatsQuery): (name: string, value: number) => boolean {
  const re = query.filter ? RE2JS.compile(query.filter) : undefined;
  return (name, value) => (!re || re.matcher(name).find()) && (!query.usedOnly || value !== 0);
}

/** Checks a `filter` parameter; the message when it is not RE2. */
export function filterProblem(filter: string | undefined): string | undefined {
  if (!filter) return undefined;
  try {
    RE2JS.compile(filter);
    return undefined;
  } catch (e) {
    return `Cannot filter stats with "${filter}": ${(e as Error).message}`;
  }
}

/** `/stats` text: counters and gauges as `name: value`, then histograms, each sorted. */
export function renderStatsText(s: StatsSnapshot, query: StatsQuery = {}): string {
  const keep = selector(query);
  const scalars = [...s.counters, ...s.gauges].filter(([n, v]) => keep(n, v)).sort(([a], [b]) =>
    a < b ? -1 : 1
  );
  const hists = [...s.histograms].filter(([n, h]) => keep(n, h.count)).sort(([a], [b]) =>
    a < b ? -1 : 1
  );
  return scalars.map(([n, v]) => `${n}: ${v}\n`).join("") +
    hists.map(([n, h]) => `${n}: ${histogramText(h)}\n`).join("");
}

/** `/stats?format=json`: `{stats: [{name, value}…, {histograms: {computed_quantiles}}]}`. */
export function renderStatsJson(s: StatsSnapshot, query: StatsQuery = {}): string {
  const keep = selector(query);
  const stats: unknown[] = [...s.counters, ...s.gauges]
    .filter(([n, v]) => keep(n, v))
    .sort(([a], [b]) => a < b ? -1 : 1)
    .map(([name, value]) => ({ name, value }));
  const computed = [...s.histograms].filter(([n, h]) => keep(n, h.count)).map(([name, h]) => ({
    name,
    values: QUANTILES.map((q) => ({
      cumulative: quantile(h, q) ?? null,
      interval: quantile(h, q) ?? null,
    })),
  }));
  stats.push({ histograms: { supported_quantiles: QUANTILES, computed_quantiles: computed } });
  return JSON.stringify({ stats }, null, 2) + "\n";
}
