/**
 * Stats snapshot → Prometheus text exposition (`/stats/prometheus`), with Envoy's naming:
 * `envoy_` + the name with every character outside `[a-zA-Z0-9_]` turned into `_`, and the
 * variable parts of known families pulled out into labels the way Envoy's default tag
 * extractors do (`cluster.<name>.` → `envoy_cluster_name`), extended to the MetaProtocol
 * families: `meta_protocol.<protocol>.<stat_prefix>.` → `meta_protocol`,
 * `meta_protocol_stat_prefix`; `meta_protocol.<prefix>.local_rate_limit.` →
 * `local_rate_limit_prefix`. Istio metrics (`istio_*`) keep their names, and a stat name
 * may carry its own labels as a `{k="v",…}` suffix (how the istio_stats filter records its
 * tags).
 *
 * @module
 */
import type { HistogramSummary, StatsSnapshot } from "../config/model.ts";

/** The variable parts known to the renderer, longest first within each kind. */
export interface StatNames {
  /** Cluster names (may contain dots). */
  readonly clusters: readonly string[];
  /** `[protocol, stat_prefix]` of every listener. */
  readonly listeners: readonly (readonly [string, string])[];
  /** `stat_prefix` of every local rate-limit filter. */
  readonly localRateLimits: readonly string[];
}

/** A metric name and its labels. */
export interface ParsedName {
  readonly name: string;
  readonly labels: readonly (readonly [string, string])[];
}

function sanitize(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, "_");
}

function escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

const OWN_LABELS = /^([^{]+)\{(.*)\}$/s;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function byLength(xs: readonly string[]): string[] {
  return [...xs].sort((a, b) => b.length - a.length);
}

/** Splits a dotted stat name into a Prometheus metric name and labels. */
export function parseStatName(stat: string, names: StatNames): ParsedName {
  const own = OWN_LABELS.exec(stat);
  if (own) {
    const labels = [...own[2].matchAll(LABEL)].map((m) =>
      [m[1], m[2].replace(/\\(.)/g, "$1")] as const
    );
    const base = own[1];
    return { name: base.startsWith("istio_") ? sanitize(base) : `envoy_${sanitize(base)}`, labels };
  }
  if (stat.startsWith("istio_")) return { name: sanitize(stat), labels: [] };
  for (const c of byLength(names.clusters)) {
    if (stat.startsWith(`cluster.${c}.`)) {
      const rest = stat.slice(`cluster.${c}.`.length);
      return { name: `envoy_cluster_${sanitize(rest)}`, labels: [["envoy_cluster_name", c]] };
    }
  }
  for (const p of byLength(names.localRateLimits)) {
    const prefix = `meta_protocol.${p}.local_rate_limit.`;
    if (stat.startsWith(prefix)) {
      const rest = stat.slice(prefix.length);
      return {
        name: `envoy_meta_protocol_local_rate_limit_${sanitize(rest)}`,
        labels: [["local_rate_limit_prefix", p]],
      };
    }
  }
  const listeners = [...names.listeners].sort((a, b) => b[1].length - a[1].length);
  for (const [protocol, sp] of listeners) {
    const prefix = `meta_protocol.${protocol}.${sp}.`;
    if (stat.startsWith(prefix)) {
      const rest = stat.slice(prefix.length);
      const labels: [string, string][] = [["meta_protocol", protocol], [
        "meta_protocol_stat_prefix",
        sp,
      ]];
      return { name: `envoy_meta_protocol_${sanitize(rest)}`, labels };
    }
  }
  return { name: `envoy_${sanitize(stat)}`, labels: [] };
}

function labelText(
  labels: readonly (readonly [string, string])[],
  extra?: [string, string],
): string {
  const all = extra ? [...labels, extra] : labels;
  if (all.length === 0) return "";
  return `{${all.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
}

type Family = { type: string; lines: string[] };

function family(families: Map<string, Family>, name: string, type: string): Family {
  let f = families.get(name);
  if (!f) families.set(name, f = { type, lines: [] });
  return f;
}

function histogramLines(p: ParsedName, h: HistogramSummary): string[] {
  const lines = h.buckets.map((b) =>
    `${p.name}_bucket${labelText(p.labels, ["le", String(b.le)])} ${b.count}`
  );
  lines.push(`${p.name}_bucket${labelText(p.labels, ["le", "+Inf"])} ${h.count}`);
  lines.push(`${p.name}_sum${labelText(p.labels)} ${h.sum}`);
  lines.push(`${p.name}_count${labelText(p.labels)} ${h.count}`);
  return lines;
}

/** Renders a snapshot in the Prometheus text format (version 0.0.4). */
export function renderPrometheus(snapshot: StatsSnapshot, names: StatNames): string {
  const families = new Map<string, Family>();
  for (const [kind, map] of [["counter", snapshot.counters], ["gauge", snapshot.gauges]] as const) {
    for (const [stat, value] of map) {
      const p = parseStatName(stat, names);
      family(families, p.name, kind).lines.push(`${p.name}${labelText(p.labels)} ${value}`);
    }
  }
  for (const [stat, h] of snapshot.histograms) {
    const p = parseStatName(stat, names);
    family(families, p.name, "histogram").lines.push(...histogramLines(p, h));
  }
  let out = "";
  for (const name of [...families.keys()].sort()) {
    const f = families.get(name)!;
    out += `# TYPE ${name} ${f.type}\n${f.lines.join("\n")}\n`;
  }
  return out;
}
