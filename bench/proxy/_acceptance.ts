/**
 * Issue 8's performance targets, checked against one run's rows: our multiplexed proxy
 * against HAProxy (throughput ratios, p99, CPU per call) and the exclusive pool's floor.
 *
 * @module
 */
import { cpuPerCall, type LoadResult, type Row } from "./_report.ts";

/** One target line: what was required, what was measured, whether it holds. */
export interface Check {
  readonly what: string;
  readonly measured: string;
  readonly ok: boolean;
}

function find(rows: readonly Row[], target: string, scenario: string): LoadResult | undefined {
  return rows.find((r) => r.target === target && r.scenario === scenario)?.result;
}

/** The targets that this run's rows can answer (none without HAProxy and ours). */
export function acceptance(rows: readonly Row[]): Check[] {
  const checks: Check[] = [];
  const ratio = (target: string, scenario: string, min: number) => {
    const ours = find(rows, target, scenario), base = find(rows, "haproxy", scenario);
    if (!ours || !base || base.rps === 0) return;
    const r = ours.rps / base.rps;
    checks.push({
      what: `${target} ${scenario} throughput >= ${min}x HAProxy`,
      measured: `${r.toFixed(2)}x`,
      ok: r >= min,
    });
  };
  ratio("ours-mux", "thrift c128", 1.5);
  ratio("ours-mux", "thrift c32", 1.2);
  for (const scenario of ["thrift c32", "thrift c128"]) {
    const ours = find(rows, "ours-mux", scenario), base = find(rows, "haproxy", scenario);
    if (ours && base) {
      checks.push({
        what: `ours-mux ${scenario} p99 <= HAProxy's (${base.p99_us} µs)`,
        measured: `${ours.p99_us} µs`,
        ok: ours.p99_us <= base.p99_us,
      });
    }
    const cpu = ours && cpuPerCall(ours, "proxy");
    if (cpu !== undefined) {
      checks.push({
        what: `ours-mux ${scenario} proxy CPU <= 10 µs/call`,
        measured: `${cpu.toFixed(2)} µs`,
        ok: cpu <= 10,
      });
    }
    ratio("ours-exclusive", scenario, 0.9);
  }
  return checks;
}

/** The checks as lines, or an empty string when there are none. */
export function formatAcceptance(checks: readonly Check[]): string {
  if (checks.length === 0) return "";
  const width = Math.max(...checks.map((c) => c.what.length));
  return [
    "Issue 8 targets (this run):",
    ...checks.map((c) => `  ${c.ok ? "met   " : "missed"}  ${c.what.padEnd(width)}  ${c.measured}`),
  ]
    .join("\n");
}
