import assert from "node:assert/strict";
import { MemoryStats } from "../stats.ts";
import { type Collector, ZipkinReporter, type ZipkinSpan } from "./zipkin.ts";

const C: Collector = {
  host: "127.0.0.1",
  port: 9411,
  hostname: "zipkin",
  endpoint: "/api/v2/spans",
};

function span(id: string): ZipkinSpan {
  return {
    traceId: "463ac35c9f6413ad",
    id,
    name: "egress sayHello",
    kind: "CLIENT",
    timestamp: 1,
    duration: 1,
    localEndpoint: { serviceName: "s" },
    tags: {},
  };
}

function recorder(status = 202) {
  const batches: string[][] = [];
  const post = (_c: Collector, body: string) => {
    batches.push((JSON.parse(body) as ZipkinSpan[]).map((s) => s.id));
    return Promise.resolve(status);
  };
  return { batches, post };
}

Deno.test("ZipkinReporter sends a batch once minFlushSpans wait, and the rest on close", async () => {
  const stats = new MemoryStats(), rec = recorder();
  const r = new ZipkinReporter({ stats, minFlushSpans: 3, post: rec.post });
  for (const id of ["1", "2", "3", "4"]) r.report(C, span(id));
  assert.deepEqual(rec.batches, [["1", "2", "3"]]);
  await r.close();
  assert.deepEqual(rec.batches, [["1", "2", "3"], ["4"]]);
  assert.equal(stats.counter("tracing.zipkin.spans_sent").value, 4);
  assert.equal(stats.counter("tracing.zipkin.reports_sent").value, 2);
});

Deno.test("ZipkinReporter flushes waiting spans on its interval", async () => {
  const stats = new MemoryStats(), rec = recorder();
  const r = new ZipkinReporter({ stats, minFlushSpans: 100, flushIntervalMs: 10, post: rec.post });
  r.report(C, span("1"));
  while (rec.batches.length === 0) await new Promise((ok) => setTimeout(ok, 5));
  assert.deepEqual(rec.batches, [["1"]]);
  assert.ok(stats.counter("tracing.zipkin.timer_flushed").value >= 1);
  await r.close();
});

Deno.test("ZipkinReporter drops spans beyond maxQueued and counts refusals and no-cluster reports", async () => {
  const stats = new MemoryStats(), rec = recorder(503);
  const r = new ZipkinReporter({ stats, minFlushSpans: 100, maxQueued: 2, post: rec.post });
  for (const id of ["1", "2", "3"]) r.report(C, span(id));
  r.report(undefined, span("4"));
  await r.close();
  assert.deepEqual(rec.batches, [["1", "2"]]);
  assert.equal(stats.counter("tracing.zipkin.spans_dropped").value, 1);
  assert.equal(stats.counter("tracing.zipkin.reports_dropped").value, 1);
  assert.equal(stats.counter("tracing.zipkin.reports_skipped_no_cluster").value, 1);
  assert.equal(stats.counter("tracing.zipkin.spans_sent").value, 0);
});
