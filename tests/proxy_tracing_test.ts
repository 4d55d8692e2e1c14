/**
 * Tracing through two proxies (data-plane spec §6.3): a Dubbo call goes client → outbound
 * proxy → inbound proxy → provider; each proxy reports a Zipkin v2 span to an HTTP collector,
 * the second a child of the first, and the provider sees the B3 headers and the sampled
 * `x-request-id` in its attachments. A collector that is down costs spans, never calls.
 */
import assert from "node:assert/strict";
import { dubboFrame, hessianBody, requestFrame } from "../codecs/dubbo/_testing.ts";
import { dubboCodec } from "../codecs/dubbo/mod.ts";
import type { Message } from "../codecs/codec.ts";
import { startProxy } from "../proxy/proxy.ts";
import { MemoryStats } from "../proxy/stats.ts";
import { type TracingModel, ZipkinReporter, type ZipkinSpan } from "../proxy/tracing/mod.ts";
import { testCluster, testModel, testRoute } from "../proxy/_testing.ts";
import { rawServer } from "../proxy/_test_upstreams.ts";

const DUBBO = "aeraki.meta_protocol.codec.dubbo";

/** An HTTP collector keeping every span POSTed to /api/v2/spans. */
function collector() {
  const spans: ZipkinSpan[] = [];
  const hosts: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    assert.equal(new URL(req.url).pathname, "/api/v2/spans");
    assert.equal(req.headers.get("content-type"), "application/json");
    hosts.push(req.headers.get("host") ?? "");
    spans.push(...await req.json());
    return new Response(null, { status: 202 });
  });
  return { spans, hosts, port: server.addr.port, close: () => server.shutdown() };
}

/** A Dubbo provider answering every request; `seen` gets each request's metadata. */
function provider(seen: Message[]) {
  return rawServer(async (c) => {
    const buf = new Uint8Array(65536);
    let n: number | null;
    while ((n = await c.read(buf).catch(() => null)) !== null) {
      const r = dubboCodec.decode(buf.slice(0, n));
      if (r.kind !== "message") continue;
      seen.push(r.message);
      const id = new DataView(r.message.frame.buffer, r.message.frame.byteOffset).getBigInt64(4);
      await c.write(dubboFrame(0x02, 20, id, hessianBody(1, "hello")));
    }
  });
}

function tracing(overall = 100, provider = true): TracingModel {
  return {
    clientSampling: 100,
    randomSampling: 100,
    overallSampling: overall,
    verbose: false,
    maxTagLength: 256,
    serviceName: "hello-client",
    nodeId: "sidecar~127.0.0.1~hello.default~cluster.local",
    ...(provider
      ? {
        provider: {
          kind: "zipkin",
          collectorCluster: "zipkin",
          collectorEndpoint: "/api/v2/spans",
          collectorHostname: "zipkin.istio-system",
          traceId128bit: false,
          sharedSpanContext: true,
        },
      }
      : {}),
  } as TracingModel;
}

async function call(port: number): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(requestFrame({ method: "sayHello", args: ["world"] }, 11n));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    assert.ok(n !== null, "the proxy closed the connection");
    return buf.slice(0, n);
  } finally {
    conn.close();
  }
}

async function twoHops(overall: number, collectorPort: number, seen: Message[]) {
  const upstream = provider(seen);
  const stats = new MemoryStats();
  const reporter = new ZipkinReporter({ stats, minFlushSpans: 1 });
  const zipkin = testCluster("zipkin", [collectorPort]);
  const inbound = await startProxy(
    testModel(DUBBO, "dubbo", [testRoute("app")], [testCluster("app", [upstream.port]), zipkin], {
      direction: "inbound",
      tracing: { ...tracing(overall), serviceName: "hello-server" },
    }),
    { tracer: reporter, stats },
  );
  const outbound = await startProxy(
    testModel(DUBBO, "dubbo", [testRoute("in")], [
      testCluster("in", [inbound.ports.get("test")!]),
      zipkin,
    ], { direction: "outbound", tracing: tracing(overall) }),
    { tracer: reporter, stats },
  );
  return {
    port: outbound.ports.get("test")!,
    stats,
    async close() {
      await outbound.close();
      await inbound.close();
      await reporter.close();
      upstream.close();
    },
  };
}

Deno.test("two proxies report parent and child Zipkin spans and pass B3 headers on", async () => {
  const zipkin = collector(), seen: Message[] = [];
  const hops = await twoHops(100, zipkin.port, seen);
  try {
    const reply = await call(hops.port);
    assert.equal(reply[3], 20, "the call succeeds");
  } finally {
    await hops.close();
    await zipkin.close();
  }
  assert.equal(zipkin.spans.length, 2);
  const client = zipkin.spans.find((s) => s.kind === "CLIENT")!;
  const server = zipkin.spans.find((s) => s.kind === "SERVER")!;
  assert.equal(server.traceId, client.traceId);
  assert.equal(server.parentId, client.id);
  assert.equal(client.parentId, undefined);
  assert.equal(client.name, "egress sayHello");
  assert.equal(server.name, "ingress sayHello");
  assert.deepEqual(client.localEndpoint, { serviceName: "hello-client" });
  assert.deepEqual(server.localEndpoint, { serviceName: "hello-server" });
  assert.equal(client.tags["upstream_cluster"], "in");
  assert.equal(client.tags["guid:x-request-id"], server.tags["guid:x-request-id"]);
  assert.ok(client.duration >= server.duration, "the outer span lasts at least the inner one");
  assert.deepEqual(zipkin.hosts, ["zipkin.istio-system", "zipkin.istio-system"]);
  // The provider sees the inbound hop's span and the sampled request id.
  const md = seen[0].metadata;
  assert.equal(md.get("x-b3-traceid"), client.traceId);
  assert.equal(md.get("x-b3-spanid"), server.id);
  assert.equal(md.get("x-b3-parentspanid"), client.id);
  assert.equal(md.get("x-b3-sampled"), "1");
  assert.equal(md.get("x-request-id")?.[14], "9");
  assert.equal(hops.stats.counter("tracing.zipkin.spans_sent").value, 2);
});

Deno.test("overall sampling 0 reports nothing but still tells the callee it is not sampled", async () => {
  const zipkin = collector(), seen: Message[] = [];
  const hops = await twoHops(0, zipkin.port, seen);
  try {
    assert.equal((await call(hops.port))[3], 20);
  } finally {
    await hops.close();
    await zipkin.close();
  }
  assert.equal(zipkin.spans.length, 0);
  assert.equal(seen[0].metadata.get("x-b3-sampled"), "0");
  assert.equal(seen[0].metadata.get("x-request-id")?.[14], "4");
});

Deno.test("a collector that is down costs spans, never calls", async () => {
  const gone = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (gone.addr as Deno.NetAddr).port;
  gone.close();
  const seen: Message[] = [];
  const hops = await twoHops(100, port, seen);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await call(hops.port))[3], 20);
  } finally {
    await hops.close();
  }
  assert.equal(seen.length, 3);
  assert.equal(hops.stats.counter("tracing.zipkin.spans_sent").value, 0);
  assert.ok(hops.stats.counter("tracing.zipkin.reports_failed").value >= 1);
});
