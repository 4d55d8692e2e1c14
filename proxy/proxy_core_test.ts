import assert from "node:assert/strict";
import type {
  AccessLogEntry,
  ClusterModel,
  ListenerModel,
  ProxyHandle,
  RouteModel,
} from "./config/model.ts";
import type { StartProxyOptions } from "./proxy.ts";
import { startProxy } from "./proxy.ts";
import { testCluster, testModel, testRoute } from "./_testing.ts";
import { KV_CODECS, kvClient, kvServer, readKv } from "../tests/proxy_kv.ts";
import { kvFrame } from "../examples/codecs/kv_codec.ts";

const KV = "example.meta_protocol.codec.kv";
const OK = [["status", "ok"]] as const;

async function withProxy(
  routes: RouteModel[],
  clusters: ClusterModel[],
  body: (proxy: ProxyHandle, port: number) => Promise<void>,
  more: Partial<ListenerModel> = {},
  options: Omit<StartProxyOptions, "codecs"> = {},
): Promise<void> {
  const proxy = await startProxy(testModel(KV, "kv", routes, clusters, more), {
    codecs: KV_CODECS,
    ...options,
  });
  try {
    await body(proxy, proxy.ports.get("test")!);
  } finally {
    await proxy.close();
  }
}

const errorOf = (m: { metadata: ReadonlyMap<string, string> }) => m.metadata.get("message");

Deno.test("startProxy() answers heartbeats locally with the toy codec", async () => {
  const server = kvServer(() => OK);
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (_, port) => {
    const c = await kvClient(port);
    const replies: number[] = [];
    const raw = await Deno.connect({ hostname: "127.0.0.1", port });
    const got = new Promise<void>((resolve) =>
      readKv(raw, "response", (m) => {
        replies.push(m.frame[3]);
        resolve();
      })
    );
    await raw.write(kvFrame(3, 9, []));
    await got;
    assert.deepEqual(replies, [4], "a heartbeat reply (kind 4)");
    assert.equal(server.count, 0);
    raw.close();
    c.close();
  });
  server.close();
});

Deno.test("startProxy() multiplexes the toy codec: clashing ids from many connections", async () => {
  const server = kvServer((m) => [["status", "ok"], ["echo", m.metadata.get("who")!]]);
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (_, port) => {
    const clients = await Promise.all([0, 1, 2, 3, 4].map(() => kvClient(port)));
    const replies = await Promise.all(
      clients.map((c, i) =>
        Promise.all([1, 2, 3].map((id) => c.call([["who", `c${i}-${id}`]], id)))
      ),
    );
    replies.forEach((rs, i) =>
      rs.forEach((r, j) => {
        assert.equal(r.requestId, BigInt(j + 1));
        assert.equal(r.metadata.get("echo"), `c${i}-${j + 1}`);
      })
    );
    assert.equal(server.conns.length, 1);
    for (const c of clients) c.close();
  }, { multiplexing: true });
  server.close();
});

Deno.test("startProxy() local rate limit: conditions first, their own buckets, shared across connections", async () => {
  const server = kvServer(() => OK);
  const bucket = (maxTokens: number) => ({ maxTokens, tokensPerFill: 1, fillIntervalMs: 60_000 });
  const filters: ListenerModel["filters"] = [{
    kind: "local_ratelimit",
    statPrefix: "svc",
    tokenBucket: bucket(2),
    conditions: [{
      match: [{ name: "user", match: { kind: "exact", value: "vip" } }],
      tokenBucket: bucket(3),
    }],
  }, { kind: "router" }];
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
    const a = await kvClient(port);
    const b = await kvClient(port);
    const plain = [await a.call([]), await b.call([]), await a.call([])];
    assert.deepEqual(plain.map((m) => m.status), ["ok", "ok", "error"]);
    assert.equal(
      errorOf(plain[2]),
      "meta protocol local rate limit: request '2' has been rate limited",
    );
    const vip = [];
    for (let i = 0; i < 4; i++) vip.push(await b.call([["user", "vip"]]));
    assert.deepEqual(vip.map((m) => m.status), ["ok", "ok", "ok", "error"]);
    const counters = proxy.stats.snapshot().counters;
    assert.equal(counters.get("meta_protocol.svc.local_rate_limit.ok"), 5);
    assert.equal(counters.get("meta_protocol.svc.local_rate_limit.rate_limited"), 2);
    a.close();
    b.close();
  }, { filters });
  server.close();
});

Deno.test("startProxy() global rate limit: over limit, timeout with and without failure_mode_deny", async () => {
  const server = kvServer(() => OK);
  const filter = (failureModeDeny: boolean): ListenerModel["filters"] => [{
    kind: "ratelimit",
    match: [{ name: "method", match: { kind: "present", present: true } }],
    domain: "production",
    descriptors: [{ property: "method", descriptorKey: "method" }],
    timeoutMs: 50,
    failureModeDeny,
    cluster: "rls",
  }, { kind: "router" }];
  const asked: unknown[] = [];
  const rateLimit: StartProxyOptions["rateLimit"] = (req) => {
    asked.push(req.descriptors);
    const method = req.descriptors[0].entries[0].value;
    if (method === "slow") return new Promise(() => {});
    return Promise.resolve(method === "hot" ? "over_limit" : "ok");
  };
  for (const deny of [false, true]) {
    await withProxy(
      [testRoute("s")],
      [testCluster("s", [server.port])],
      async (_, port) => {
        const c = await kvClient(port);
        assert.equal((await c.call([["method", "cool"]])).status, "ok");
        const hot = await c.call([["method", "hot"]]);
        assert.equal(
          errorOf(hot),
          "meta protocol global ratelimit: request '2' has been rate limited",
        );
        assert.equal((await c.call([["method", "slow"]])).status, deny ? "error" : "ok");
        assert.equal((await c.call([])).status, "ok", "no match: never limited");
        c.close();
      },
      { filters: filter(deny) },
      { rateLimit },
    );
  }
  assert.deepEqual(asked[1], [{ entries: [{ key: "method", value: "hot" }] }]);
  server.close();
});

Deno.test("startProxy() retries connect failures on another host", async () => {
  const server = kvServer(() => OK);
  const dead = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = (dead.addr as Deno.NetAddr).port;
  dead.close();
  const cluster = testCluster("s", [deadPort, server.port]);
  for (const retry of [false, true]) {
    const route = testRoute("s", {}, {
      action: retry ? { retryPolicy: { numRetries: 2, retryOn: ["connect-failure"] } } : {},
    });
    await withProxy([route], [cluster], async (_, port) => {
      const c = await kvClient(port);
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await c.call([])).status);
      if (retry) assert.deepEqual(statuses, Array(6).fill("ok"));
      else assert.ok(statuses.includes("error"), "without retries the dead host fails calls");
      c.close();
    });
  }
  server.close();
});

Deno.test("startProxy() retries a sent request only when the route says it is idempotent", async () => {
  for (const idempotent of [false, true]) {
    const server = kvServer((_, n) => n === 1 ? "close" : OK);
    const route = testRoute("s", {}, {
      action: { retryPolicy: { numRetries: 1, retryOn: ["reset"], idempotent } },
    });
    await withProxy([route], [testCluster("s", [server.port])], async (_, port) => {
      const c = await kvClient(port);
      const r = await c.call([]);
      assert.equal(r.status, idempotent ? "ok" : "error");
      if (!idempotent) assert.match(errorOf(r)!, /remote connection failure/);
      c.close();
    });
    server.close();
  }
});

Deno.test("startProxy() per-try timeout retries a hung try", async () => {
  const server = kvServer((_, n) => n === 1 ? "hang" : OK);
  const route = testRoute("s", {}, {
    action: {
      retryPolicy: { numRetries: 1, retryOn: ["reset"], perTryTimeoutMs: 50, idempotent: true },
    },
  });
  await withProxy([route], [testCluster("s", [server.port])], async (proxy, port) => {
    const c = await kvClient(port);
    assert.equal((await c.call([])).status, "ok");
    assert.equal(proxy.stats.snapshot().counters.get("cluster.s.upstream_rq_retry"), 1);
    c.close();
  });
  server.close();
});

Deno.test("startProxy() circuit breaker max_requests rejects the overflow", async () => {
  const server = kvServer((m) => m.metadata.get("hang") ? "hang" : OK);
  const cluster = testCluster("s", [server.port], { circuitBreakers: { maxRequests: 1 } });
  await withProxy(
    [testRoute("s", {}, { action: { timeoutMs: 300 } })],
    [cluster],
    async (_, port) => {
      const c = await kvClient(port);
      const first = c.call([["hang", "1"]]);
      const second = await c.call([]);
      assert.equal(errorOf(second), "meta protocol upstream request: too many connections");
      assert.match(errorOf(await first)!, /timed out/);
      assert.equal((await c.call([])).status, "ok", "released after the timeout");
      c.close();
    },
  );
  server.close();
});

Deno.test("startProxy() outlier detection ejects a failing host", async () => {
  const good = kvServer(() => OK);
  const bad = kvServer(() => "close");
  const cluster = testCluster("s", [bad.port, good.port], {
    outlierDetection: {
      consecutiveErrors: 2,
      intervalMs: 1000,
      baseEjectionTimeMs: 60_000,
      maxEjectionPercent: 50,
    },
  });
  await withProxy([testRoute("s")], [cluster], async (proxy, port) => {
    const c = await kvClient(port);
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await c.call([])).status);
    assert.deepEqual(statuses.slice(4), Array(6).fill("ok"), `statuses ${statuses}`);
    const status = proxy.clusterStatus().get("s")!;
    assert.deepEqual(status.map((e) => e.ejected), [true, false]);
    c.close();
  });
  good.close();
  bad.close();
});

Deno.test("startProxy() closes idle connections after idle_timeout", async () => {
  const server = kvServer(() => OK);
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
    const c = await kvClient(port);
    assert.equal((await c.call([])).status, "ok");
    await c.closed;
    assert.equal(proxy.stats.snapshot().counters.get("meta_protocol.kv.test.idle_timeout"), 1);
  }, { idleTimeoutMs: 50 });
  server.close();
});

Deno.test("startProxy() answers requests in flight when the client half-closes", async () => {
  const seen: number[] = [];
  const server = kvServer((m) => {
    seen.push(Number(m.requestId));
    return "hang";
  });
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
    const c = await kvClient(port);
    const replies = [c.call([]), c.call([])];
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    await c.conn.closeWrite();
    await new Promise((r) => setTimeout(r, 20));
    // Both requests are still in flight upstream: answer them now.
    for (const id of seen) await server.conns[0].write(kvFrame(2, id, OK));
    const rs = await Promise.all(replies);
    assert.deepEqual(rs.map((r) => r.status), ["ok", "ok"]);
    await c.closed;
    const counters = proxy.stats.snapshot().counters;
    assert.equal(counters.get("meta_protocol.kv.test.cx_destroy_remote_with_active_rq"), 0);
  }, { multiplexing: true }); // one upstream connection carries both
  server.close();
});

Deno.test("startProxy() drain finishes requests in flight and stops accepting", async () => {
  const server = kvServer(() => "hang");
  const proxy = await startProxy(
    testModel(KV, "kv", [testRoute("s")], [testCluster("s", [server.port])]),
    { codecs: KV_CODECS },
  );
  const port = proxy.ports.get("test")!;
  const c = await kvClient(port);
  const pending = c.call([]);
  await new Promise((r) => setTimeout(r, 50));
  const draining = proxy.drain();
  await new Promise((r) => setTimeout(r, 20));
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }), "no longer accepting");
  await server.conns[0].write(kvFrame(2, 1, OK));
  assert.equal((await pending).status, "ok");
  await draining;
  await c.closed;
  server.close();
});

Deno.test("startProxy() access log: one entry per request, with x-request-id", async () => {
  const server = kvServer(() => OK);
  const entries: AccessLogEntry[] = [];
  await withProxy(
    [testRoute("s", { method: "go" }, { name: "main" })],
    [testCluster("s", [server.port])],
    async (_, port) => {
      const c = await kvClient(port);
      await c.call([["method", "go"]]);
      await c.call([["method", "nope"]]);
      c.close();
    },
    { accessLogs: [{ name: "envoy.access_loggers.file", config: {} }] },
    { accessLog: (_l, sink, entry) => sink === 0 && entries.push(entry) },
  );
  assert.equal(entries.length, 2);
  const [ok, miss] = entries;
  assert.equal(ok.responseCode, 0);
  assert.equal(ok.upstreamCluster, "s");
  assert.equal(ok.upstreamHost, `127.0.0.1:${server.port}`);
  assert.equal(ok.routeName, "main");
  assert.equal(ok.requestHeaders.get("x-meta-protocol-application-protocol"), "kv");
  assert.match(ok.requestHeaders.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  assert.equal(miss.responseCode, 1);
  assert.equal(miss.responseCodeDetails, "no_matched_route");
  server.close();
});

Deno.test("startProxy() idle timeout spares a connection waiting for a reply (fixes §9.8)", async () => {
  const server = kvServer((m) => m.metadata.get("slow") ? "hang" : OK);
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
    const c = await kvClient(port);
    const slow = c.call([["slow", "1"]]);
    await new Promise((r) => setTimeout(r, 150));
    await server.conns[0].write(kvFrame(2, 1, OK));
    assert.equal((await slow).status, "ok", "answered after three idle periods");
    await c.closed;
    assert.equal(proxy.stats.snapshot().counters.get("meta_protocol.kv.test.idle_timeout"), 1);
  }, { idleTimeoutMs: 50 });
  server.close();
});

Deno.test("startProxy() delivers every response of one upstream read (fixes §9.7)", async () => {
  let first: Deno.TcpConn | undefined;
  const ids: number[] = [];
  const server = kvServer((m) => {
    ids.push(Number(m.requestId));
    return "hang";
  });
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (_, port) => {
    const c = await kvClient(port);
    const replies = [c.call([]), c.call([]), c.call([])];
    while (ids.length < 3) await new Promise((r) => setTimeout(r, 5));
    first = server.conns[0];
    const frames = ids.map((id) => kvFrame(2, id, OK));
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    frames.reduce((at, f) => (all.set(f, at), at + f.length), 0);
    await first.write(all); // three responses in one write
    assert.deepEqual((await Promise.all(replies)).map((r) => r.requestId), [1n, 2n, 3n]);
    c.close();
  }, { multiplexing: true });
  server.close();
});

Deno.test("startProxy() istio_stats and inbound metadata_exchange act on every response", async () => {
  const server = kvServer(() => OK);
  const filters: ListenerModel["filters"] = [
    { kind: "metadata_exchange", peerMetadata: "Q2hF", peerMetadataId: "sidecar~1" },
    { kind: "istio_stats", destinationService: "svc.ns.svc.cluster.local" },
    { kind: "router" },
  ];
  await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
    const c = await kvClient(port);
    const reply = await c.call([]);
    assert.equal(reply.metadata.get("x-envoy-peer-metadata-id"), "sidecar~1");
    await c.call([]);
    c.close();
    const [name, value] = [...proxy.stats.snapshot().counters].find(([n]) =>
      n.startsWith("istio_requests_total{")
    )!;
    assert.equal(value, 2);
    assert.match(name, /reporter="destination"/);
    assert.match(name, /destination_service="svc.ns.svc.cluster.local"/);
    assert.match(name, /destination_service_name="svc"/);
    assert.match(name, /response_code="0"\}$/);
  }, { filters, direction: "inbound", multiplexing: true });
  server.close();
});
