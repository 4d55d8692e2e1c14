import assert from "node:assert/strict";
import { LiveCounters, renderLiveView, subsetLabel } from "./live_view.ts";

Deno.test("LiveCounters.tick() gives per-second rates since the last tick and totals since start", () => {
  const live = new LiveCounters();
  for (let i = 0; i < 6; i++) live.count("l", "split", "outbound|9090|v1|h", i === 0);
  live.count("l", "split", "outbound|9090|v2|h", false);
  live.count("l", "", "", true);
  const first = live.tick(2000);
  assert.deepEqual(first.map((r) => [r.kind, r.name, r.total, r.errors, r.rps, r.errorRate]), [
    ["route", "l (no route)", 1, 1, 0.5, 0.5],
    ["route", "l split", 7, 1, 3.5, 0.5],
    ["subset", "h:9090 v1", 6, 1, 3, 0.5],
    ["subset", "h:9090 v2", 1, 0, 0.5, 0],
  ]);
  live.count("l", "split", "outbound|9090|v2|h", false);
  const second = live.tick(1000);
  assert.deepEqual(second.map((r) => r.rps), [0, 1, 0, 1]);
  assert.deepEqual(live.subsetTotals(), new Map([["h:9090 v1", 6], ["h:9090 v2", 2]]));
});

Deno.test("subsetLabel() names host, port and subset of an outbound cluster", () => {
  assert.equal(subsetLabel("outbound|9090||hello"), "hello:9090 (all)");
  assert.equal(subsetLabel("outbound|9090|v2|hello"), "hello:9090 v2");
  assert.equal(subsetLabel("static"), "static");
});

Deno.test("renderLiveView() lists routes then subsets under a status line", () => {
  const live = new LiveCounters();
  live.count("127.0.0.10_9090", "split", "outbound|9090|v1|hello", false);
  const lines = renderLiveView(live.tick(1000), "status");
  assert.equal(lines[0], "status");
  assert.match(lines[1], /^route\s+req\/s\s+err\/s\s+requests\s+errors$/);
  assert.match(lines[2], /^ {2}127\.0\.0\.10_9090 split\s+1\s+0\s+1\s+0$/);
  assert.match(lines[3], /^subset/);
  assert.match(lines[4], /^ {2}hello:9090 v1\s+1\s+0\s+1\s+0$/);
  assert.deepEqual(renderLiveView([], "s").slice(2), [
    "  (no traffic yet)",
    renderLiveView([], "s")[3],
    "  (no traffic yet)",
  ]);
});
