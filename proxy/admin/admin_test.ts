import assert from "node:assert/strict";
import type { ClusterModel, EndpointStatus, ProxyModel } from "../config/model.ts";
import { MemoryStats } from "../stats.ts";
import {
  handleAdmin,
  parseStatName,
  renderClustersText,
  renderPrometheus,
  renderStatsText,
} from "./mod.ts";

const NAMES = {
  clusters: ["outbound|9090||a.b.svc.cluster.local", "rl"],
  listeners: [["thrift", "outbound|9090||a.b.svc.cluster.local"]] as [string, string][],
  localRateLimits: ["a.b"],
};

Deno.test("parseStatName() pulls cluster, listener and rate-limit prefixes out into labels", () => {
  assert.deepEqual(
    parseStatName("cluster.outbound|9090||a.b.svc.cluster.local.upstream_rq_total", NAMES),
    {
      name: "envoy_cluster_upstream_rq_total",
      labels: [["envoy_cluster_name", "outbound|9090||a.b.svc.cluster.local"]],
    },
  );
  assert.deepEqual(
    parseStatName("meta_protocol.thrift.outbound|9090||a.b.svc.cluster.local.request", NAMES),
    {
      name: "envoy_meta_protocol_request",
      labels: [["meta_protocol", "thrift"], [
        "meta_protocol_stat_prefix",
        "outbound|9090||a.b.svc.cluster.local",
      ]],
    },
  );
  assert.deepEqual(parseStatName("meta_protocol.a.b.local_rate_limit.rate_limited", NAMES), {
    name: "envoy_meta_protocol_local_rate_limit_rate_limited",
    labels: [["local_rate_limit_prefix", "a.b"]],
  });
  assert.deepEqual(
    parseStatName('istio_requests_total{reporter="source",response_code="0"}', NAMES),
    {
      name: "istio_requests_total",
      labels: [["reporter", "source"], ["response_code", "0"]],
    },
  );
  assert.deepEqual(parseStatName("server.live", NAMES), { name: "envoy_server_live", labels: [] });
});

Deno.test("renderPrometheus() groups families with one TYPE line and renders histograms", () => {
  const s = new MemoryStats();
  s.counter("meta_protocol.thrift.outbound|9090||a.b.svc.cluster.local.request").inc(3);
  s.counter("cluster.rl.upstream_rq_total").inc();
  s.counter("cluster.outbound|9090||a.b.svc.cluster.local.upstream_rq_total").inc(2);
  s.gauge('istio_x{a="q\\"uote"}').set(1);
  s.histogram("meta_protocol.thrift.outbound|9090||a.b.svc.cluster.local.request_time_ms").record(
    3,
  );
  const text = renderPrometheus(s.snapshot(), NAMES);
  assert.equal(text.match(/# TYPE envoy_cluster_upstream_rq_total counter/g)?.length, 1);
  assert.match(text, /^envoy_cluster_upstream_rq_total\{envoy_cluster_name="rl"\} 1$/m);
  assert.match(
    text,
    /^envoy_meta_protocol_request\{meta_protocol="thrift",meta_protocol_stat_prefix="outbound\|9090\|\|a\.b\.svc\.cluster\.local"\} 3$/m,
  );
  assert.match(text, /^istio_x\{a="q\\"uote"\} 1$/m);
  assert.match(text, /^# TYPE envoy_meta_protocol_request_time_ms histogram$/m);
  assert.match(
    text,
    /^envoy_meta_protocol_request_time_ms_bucket\{meta_protocol="thrift",meta_protocol_stat_prefix="[^"]+",le="\+Inf"\} 1$/m,
  );
  assert.match(text, /^envoy_meta_protocol_request_time_ms_count\{[^}]+\} 1$/m);
});

Deno.test("renderStatsText() sorts, filters with RE2 and hides unused stats on request", () => {
  const s = new MemoryStats();
  s.counter("b.x").inc();
  s.counter("a.y");
  s.gauge("c.z").set(4);
  assert.equal(renderStatsText(s.snapshot()), "a.y: 0\nb.x: 1\nc.z: 4\n");
  assert.equal(renderStatsText(s.snapshot(), { usedOnly: true }), "b.x: 1\nc.z: 4\n");
  assert.equal(renderStatsText(s.snapshot(), { filter: "^[ab]\\." }), "a.y: 0\nb.x: 1\n");
});

Deno.test("renderClustersText() prints Envoy's lines with circuit breakers and outlier ejection", () => {
  const c: ClusterModel = {
    name: "c",
    type: "STATIC",
    endpoints: [],
    connectTimeoutMs: 1,
    lbPolicy: "ROUND_ROBIN",
    circuitBreakers: { maxConnections: 7 },
  };
  const e: EndpointStatus = {
    address: "10.0.0.1",
    port: 80,
    weight: 2,
    health: "unknown",
    ejected: true,
    activeConnections: 1,
    activeRequests: 3,
  };
  assert.equal(
    renderClustersText([c], new Map([["c", [e]]])),
    "c::default_priority::max_connections::7\nc::default_priority::max_pending_requests::1024\n" +
      "c::default_priority::max_requests::1024\nc::default_priority::max_retries::3\nc::added_via_api::false\n" +
      "c::10.0.0.1:80::cx_active::1\nc::10.0.0.1:80::rq_active::3\n" +
      "c::10.0.0.1:80::health_flags::/failed_outlier_check\nc::10.0.0.1:80::weight::2\n",
  );
});

Deno.test("handleAdmin() answers /ready by state, rejects bad filters and unknown paths, quits on POST only", async () => {
  let quit = 0;
  let state = "LIVE";
  const o = {
    proxy: {
      stats: new MemoryStats(),
      clusterStatus: () => new Map(),
      routeTables: () => new Map(),
    },
    model: { listeners: [], clusters: [] } as ProxyModel,
    onQuit: () => void quit++,
    state: () => state,
  };
  const get = (path: string, method = "GET") =>
    handleAdmin(new Request(`http://x${path}`, { method }), o);
  assert.equal(get("/ready").status, 200);
  state = "DRAINING";
  assert.equal(get("/ready").status, 503);
  assert.equal(await get("/ready").text(), "DRAINING\n");
  assert.equal(get("/stats?filter=(%3F%3Da)").status, 400);
  assert.equal(get("/nope").status, 404);
  assert.equal(get("/quitquitquit").status, 405);
  assert.equal(get("/quitquitquit", "POST").status, 200);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(quit, 1);
  const dump = JSON.parse(await get("/config_dump").text());
  assert.deepEqual(dump.configs.map((c: { "@type": string }) => c["@type"].split(".").at(-1)), [
    "BootstrapConfigDump",
    "ListenersConfigDump",
    "ClustersConfigDump",
    "RoutesConfigDump",
  ]);
});
