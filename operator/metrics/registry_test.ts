import assert from "node:assert/strict";
import { makeOperatorMetrics } from "./operator_metrics.ts";
import { Registry } from "./registry.ts";

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface Family {
  help?: string;
  type?: string;
  readonly samples: Sample[];
}

/** A strict reader of the text exposition format 0.0.4: every line must parse. */
function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith("\n"), "the exposition ends with a newline");
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, f = { samples: [] });
    return f;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") family(meta[2]).help = meta[3];
      else {
        assert.match(meta[3], /^(counter|gauge|histogram|summary|untyped)$/);
        family(meta[2]).type = meta[3];
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparsable line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const pairs = m[2] ?? "";
    const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"(,|$)/y;
    while (pair.lastIndex < pairs.length) {
      const p = pair.exec(pairs);
      assert.ok(p, `bad labels in line: ${JSON.stringify(line)}`);
      labels[p[1]] = p[2].replace(/\\(["\\n])/g, (_, c) => c === "n" ? "\n" : c);
    }
    const value = m[3] === "+Inf" ? Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value), `bad value in line: ${JSON.stringify(line)}`);
    const base = m[1].replace(/_(bucket|sum|count)$/, "");
    const owner = families.has(m[1]) ? m[1] : base;
    assert.ok(families.get(owner)?.type, `sample ${m[1]} comes before its # TYPE line`);
    family(owner).samples.push({ name: m[1], labels, value });
  }
  return families;
}

Deno.test("Registry.render() writes counters, gauges and escaped labels a strict reader parses", () => {
  const r = new Registry();
  const c = r.counter("x_requests_total", { help: "Requests\nby path.", labels: ["path"] });
  const g = r.gauge("x_depth", { help: "Depth." });
  c.inc({ path: 'a"b\\c\nd' });
  c.inc({ path: "/" }, 2);
  c.inc({ path: "/" }, -5); // ignored: counters never go down
  g.set(3);
  g.inc({}, -1);
  const families = parseExposition(r.render());
  assert.equal(families.get("x_requests_total")?.help, "Requests\\nby path.");
  assert.deepEqual(families.get("x_requests_total")?.samples, [
    { name: "x_requests_total", labels: { path: "/" }, value: 2 },
    { name: "x_requests_total", labels: { path: 'a"b\\c\nd' }, value: 1 },
  ]);
  assert.deepEqual(families.get("x_depth")?.samples, [{ name: "x_depth", labels: {}, value: 2 }]);
});

Deno.test("Histogram.observe() fills cumulative buckets, +Inf, sum and count", () => {
  const r = new Registry();
  const h = r.histogram("x_seconds", { help: "Time.", buckets: [0.1, 1], labels: ["op"] });
  for (const v of [0.05, 0.1, 0.5, 7]) h.observe(v, { op: "a" });
  const samples = parseExposition(r.render()).get("x_seconds")!.samples;
  assert.equal(parseExposition(r.render()).get("x_seconds")?.type, "histogram");
  const bucket = (le: string) =>
    samples.find((s) => s.name === "x_seconds_bucket" && s.labels.le === le)?.value;
  assert.deepEqual([bucket("0.1"), bucket("1"), bucket("+Inf")], [2, 3, 4]);
  assert.equal(samples.find((s) => s.name === "x_seconds_count")?.value, 4);
  assert.equal(samples.find((s) => s.name === "x_seconds_sum")?.value, 7.65);
  assert.ok(samples.every((s) => s.labels.op === "a"));
});

Deno.test("Registry refuses bad names, duplicate metrics and unordered buckets", () => {
  const r = new Registry();
  r.counter("ok_total", { help: "x" });
  assert.throws(() => r.counter("ok_total", { help: "x" }), /Register metric "ok_total" once/);
  assert.throws(() => r.gauge("bad-name", { help: "x" }), /Rename metric "bad-name"/);
  assert.throws(() => r.gauge("g", { help: "x", labels: ["le"] }), /Rename label "le"/);
  assert.throws(() => r.histogram("h", { help: "x", buckets: [1, 1] }), /ascending buckets/);
});

Deno.test("makeOperatorMetrics() exposes every operator metric with help and type", () => {
  const m = makeOperatorMetrics();
  m.reconciles.inc({ result: "success" });
  m.reconcileDuration.observe(0.02);
  m.writes.inc({ operation: "status", result: "success" });
  m.problems.set(1, { severity: "error" });
  m.kept.set(1);
  m.pendingChanges.set(4);
  m.watchRestarts.inc({ kind: "MetaRouter" });
  m.leader.set(1);
  const families = parseExposition(m.registry.render());
  assert.deepEqual([...families.keys()].sort(), [
    "aeraki_generate_problems",
    "aeraki_kube_writes_total",
    "aeraki_leader",
    "aeraki_pending_changes",
    "aeraki_reconcile_duration_seconds",
    "aeraki_reconciles_total",
    "aeraki_services_kept_last_good",
    "aeraki_watch_restarts_total",
  ]);
  for (const [name, f] of families) {
    assert.ok(f.help && f.type, `${name} has help and type`);
    assert.ok(f.samples.length > 0, `${name} has a sample`);
  }
  assert.deepEqual(families.get("aeraki_kube_writes_total")?.samples[0].labels, {
    operation: "status",
    result: "success",
  });
});
