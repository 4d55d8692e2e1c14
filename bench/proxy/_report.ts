/**
 * The benchmark's result rows and the table printed at the end, with ratios against HAProxy.
 *
 * @module
 */

/** What one load-generator run reports (the JSON line both peers print). */
export interface LoadResult {
  readonly proto: string;
  readonly conns: number;
  readonly depth: number;
  readonly seconds: number;
  readonly calls: number;
  readonly failed: number;
  readonly lost: number;
  readonly lost_reason?: string;
  readonly rps: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly p999_us: number;
  readonly max_us: number;
  readonly mean_us: number;
  /** CPU time in µs over the measured window, per watched process group. */
  readonly cpu_us: Readonly<Record<string, number>>;
}

/** One row: a target and a scenario, measured or not available. */
export interface Row {
  readonly target: string;
  readonly scenario: string;
  readonly result?: LoadResult;
  /** Why there is no result (target unavailable, run failed). */
  readonly missing?: string;
}

/** µs of CPU per completed call of the watched group `name`. */
export function cpuPerCall(r: LoadResult, name: string): number | undefined {
  const cpu = r.cpu_us[name];
  return cpu === undefined || r.calls === 0 ? undefined : cpu / r.calls;
}

const fixed = (n: number | undefined, digits = 1) => n === undefined ? "-" : n.toFixed(digits);

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
}

const HEAD = [
  "target",
  "scenario",
  "calls/s",
  "x HAProxy",
  "p50 µs",
  "p99 µs",
  "p99.9 µs",
  "max µs",
  "proxy µs/call",
  "upstream µs/call",
  "loadgen µs/call",
  "failed",
  "lost",
];

/** The results as a fixed-width text table; ratios divide by HAProxy's row of the scenario. */
export function formatTable(rows: readonly Row[]): string {
  const haproxy = new Map<string, LoadResult>();
  for (const row of rows) {
    if (row.target === "haproxy" && row.result) haproxy.set(row.scenario, row.result);
  }
  const measured: string[][] = [];
  const missing: string[] = [];
  for (const row of rows) {
    const r = row.result;
    if (!r) {
      const line = `${row.target}: not measured: ${row.missing ?? "unknown"}`;
      const all = `${row.target} (every scenario): not measured: ${row.missing ?? "unknown"}`;
      const same = rows.filter((x) => x.target === row.target);
      if (same.every((x) => !x.result && x.missing === row.missing)) {
        if (!missing.includes(all)) missing.push(all);
      } else missing.push(line.replace(":", ` ${row.scenario}:`));
      continue;
    }
    const base = haproxy.get(row.scenario);
    measured.push([
      row.target,
      row.scenario,
      Math.round(r.rps).toString(),
      base && base.rps > 0 ? `${(r.rps / base.rps).toFixed(2)}x` : "-",
      fixed(r.p50_us),
      fixed(r.p99_us),
      fixed(r.p999_us),
      fixed(r.max_us, 0),
      fixed(cpuPerCall(r, "proxy"), 2),
      fixed(cpuPerCall(r, "upstream"), 2),
      fixed(cpuPerCall(r, "loadgen"), 2),
      String(r.failed),
      String(r.lost),
    ]);
  }
  const widths = HEAD.map((h, i) => Math.max(h.length, ...measured.map((b) => b[i].length)));
  const lines = [pad(HEAD, widths), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const cells of measured) lines.push(pad(cells, widths));
  return [...lines, ...missing].join("\n");
}
