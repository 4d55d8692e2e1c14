import assert from "node:assert/strict";
import { acceptance, formatAcceptance } from "./_acceptance.ts";
import type { LoadResult, Row } from "./_report.ts";

function row(target: string, scenario: string, rps: number, p99: number, proxyCpu?: number): Row {
  const result: LoadResult = {
    proto: "thrift",
    conns: 32,
    depth: 1,
    seconds: 1,
    calls: rps,
    failed: 0,
    lost: 0,
    rps,
    p50_us: 1,
    p99_us: p99,
    p999_us: p99,
    max_us: p99,
    mean_us: 1,
    cpu_us: proxyCpu === undefined ? {} : { proxy: proxyCpu * rps },
  };
  return { target, scenario, result };
}

Deno.test("acceptance() checks issue 8's ratios, p99 and CPU against HAProxy's rows", () => {
  const checks = acceptance([
    row("haproxy", "thrift c32", 1000, 500, 12),
    row("haproxy", "thrift c128", 1000, 900, 12),
    row("ours-mux", "thrift c32", 1300, 400, 9),
    row("ours-mux", "thrift c128", 1400, 1000, 11),
    row("ours-exclusive", "thrift c32", 900, 600),
  ]);
  const byWhat = new Map(checks.map((c) => [c.what, c]));
  assert.equal(byWhat.get("ours-mux thrift c128 throughput >= 1.5x HAProxy")?.ok, false);
  assert.equal(byWhat.get("ours-mux thrift c32 throughput >= 1.2x HAProxy")?.ok, true);
  assert.equal(byWhat.get("ours-mux thrift c128 p99 <= HAProxy's (900 µs)")?.ok, false);
  assert.equal(byWhat.get("ours-mux thrift c32 proxy CPU <= 10 µs/call")?.measured, "9.00 µs");
  assert.equal(byWhat.get("ours-exclusive thrift c32 throughput >= 0.9x HAProxy")?.ok, true);
  assert.equal(byWhat.has("ours-exclusive thrift c128 throughput >= 0.9x HAProxy"), false);
  assert.match(
    formatAcceptance(checks),
    /missed\s+ours-mux thrift c128 throughput >= 1.5x HAProxy\s+1.40x/,
  );
});

Deno.test("acceptance() says nothing without HAProxy's rows", () => {
  assert.deepEqual(
    acceptance([row("ours-mux", "thrift c32", 1300, 400, 9)]).filter((c) =>
      !c.what.includes("CPU")
    ),
    [],
  );
  assert.equal(formatAcceptance([]), "");
});
