import assert from "node:assert/strict";
import { libCall } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import type { ClusterModel, ProxyHandle, RouteModel } from "./config/model.ts";
import { MAX_IN_FLIGHT } from "./downstream.ts";
import { testCluster, testRoute, withThriftProxy } from "./_testing.ts";
import {
  FRAMED,
  framedClient,
  helloReply,
  helloServer,
  rawServer,
  readFrame,
  seqidOf,
} from "./_test_upstreams.ts";

function withProxy(
  routes: RouteModel[],
  clusters: ClusterModel[],
  body: (proxy: ProxyHandle, port: number) => Promise<void>,
  multiplexing = false,
): Promise<void> {
  return withThriftProxy(routes, clusters, body, multiplexing);
}

/** Calls sayHello and returns the error text the client saw (fails if it succeeded). */
async function callError(port: number, name = "x"): Promise<string> {
  const c = await framedClient(port);
  try {
    await c.client.sayHello(new Req({ name }));
    assert.fail("the call succeeded");
  } catch (e) {
    return (e as { message: string }).message;
  } finally {
    await c.close();
  }
}

for (const multiplexing of [false, true]) {
  const mode = multiplexing ? "multiplexed" : "exclusive";

  Deno.test(`startProxy() replies no matched route with the request id (${mode})`, async () => {
    await withProxy(
      [testRoute("a", { method: "other" })],
      [testCluster("a", [1])],
      async (_, port) => {
        assert.equal(
          await callError(port),
          "meta protocol router: no matched route for request '1'",
        );
      },
      multiplexing,
    );
  });

  Deno.test(`startProxy() replies unknown cluster and no healthy upstream (${mode})`, async () => {
    const sick = testCluster("sick", [1]);
    const routes = [
      testRoute("missing", { method: "sayHello" }, { name: "r1" }),
    ];
    await withProxy(routes, [], async (_, port) => {
      assert.equal(await callError(port), "meta protocol router: unknown cluster 'missing'");
    }, multiplexing);
    await withProxy(
      [testRoute("sick")],
      [{ ...sick, endpoints: sick.endpoints.map((e) => ({ ...e, health: "unhealthy" })) }],
      async (_, port) => {
        assert.equal(await callError(port), "meta protocol router: no healthy upstream for 'sick'");
      },
      multiplexing,
    );
  });

  Deno.test(`startProxy() replies remote connection failure when the upstream refuses (${mode})`, async () => {
    const closed = rawServer(() => {});
    const port = closed.port;
    closed.close();
    await withProxy([testRoute("down")], [testCluster("down", [port])], async (_, p) => {
      assert.equal(
        await callError(p),
        `meta protocol upstream request: remote connection failure '127.0.0.1:${port}'`,
      );
    }, multiplexing);
  });

  Deno.test(`startProxy() replies a timeout when the upstream hangs (${mode})`, async () => {
    const hang = rawServer(() => {});
    try {
      await withProxy(
        [testRoute("hang", {}, { action: { timeoutMs: 100 } })],
        [testCluster("hang", [hang.port])],
        async (proxy, p) => {
          assert.match(
            await callError(p),
            /^meta protocol router: request '1' timed out after \d+ms$/,
          );
          const counters = proxy.stats.snapshot().counters;
          assert.equal(counters.get("meta_protocol.thrift.test.request_timeout"), 1);
        },
        multiplexing,
      );
    } finally {
      hang.close();
    }
  });

  Deno.test(`startProxy() replies when the upstream resets mid-response (${mode})`, async () => {
    const reset = rawServer(async (c) => {
      const req = await readFrame(c);
      const reply = helloReply(seqidOf(req!), "partial");
      await c.write(reply.subarray(0, reply.length - 3));
      c.close();
    });
    try {
      await withProxy([testRoute("r")], [testCluster("r", [reset.port])], async (_, p) => {
        assert.equal(
          await callError(p),
          `meta protocol upstream request: remote connection failure '127.0.0.1:${reset.port}'`,
        );
      }, multiplexing);
    } finally {
      reset.close();
    }
  });

  Deno.test(`startProxy() replies bad response when the upstream sends garbage (${mode})`, async () => {
    const garbage = rawServer(async (c) => {
      await readFrame(c);
      await c.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
    });
    try {
      await withProxy([testRoute("g")], [testCluster("g", [garbage.port])], async (proxy, p) => {
        assert.match(await callError(p), /^Cannot decode Thrift/);
        const counters = proxy.stats.snapshot().counters;
        assert.equal(counters.get("meta_protocol.thrift.test.response_decoding_error"), 1);
      }, multiplexing);
    } finally {
      garbage.close();
    }
  });
}

Deno.test("startProxy() closes a connection that sends garbage, and only that one", async () => {
  const server = await helloServer();
  try {
    await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
      const good = await framedClient(port);
      assert.equal(await good.client.sayHello(new Req({ name: "a" })), "hello a");
      const bad = await Deno.connect({ hostname: "127.0.0.1", port });
      await bad.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      assert.equal(await bad.read(new Uint8Array(64)), null, "closed without a reply");
      bad.close();
      assert.equal(await good.client.sayHello(new Req({ name: "b" })), "hello b");
      await good.close();
      const counters = proxy.stats.snapshot().counters;
      assert.equal(counters.get("meta_protocol.thrift.test.request_decoding_error"), 1);
    });
  } finally {
    await server.close();
  }
});

Deno.test("startProxy() pauses a client that never reads, and serves the others", async () => {
  const big = "x".repeat(64 * 1024);
  let served = 0;
  const server = await helloServer("", {
    sayHello: (_req, result) => {
      served++;
      result(null, big);
    },
  });
  try {
    await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (_, port) => {
      const stuck = await Deno.connect({ hostname: "127.0.0.1", port });
      const calls = 2000; // 2000 × 64 KiB = 125 MiB of replies if nothing held back
      const frames = Array.from(
        { length: calls },
        (_, i) => libCall(FRAMED, { seqid: i + 1, req: new Req({ name: "n" }) }),
      );
      const all = new Uint8Array(frames.reduce((s, f) => s + f.length, 0));
      let at = 0;
      for (const f of frames) all.set(f, (at += f.length) - f.length);
      const writing = stuck.write(all).catch(() => 0);
      await new Promise((r) => setTimeout(r, 500));
      const other = await framedClient(port);
      assert.equal((await other.client.sayHello(new Req({ name: "o" }))).length, big.length);
      await other.close();
      // At most one window of requests in flight, plus what fits under the watermark.
      assert.ok(
        served <= MAX_IN_FLIGHT + 32,
        `the proxy kept reading: ${served} of ${calls} calls served`,
      );
      stuck.close();
      await writing;
    });
  } finally {
    await server.close();
  }
});

Deno.test("startProxy() forwards oneway calls (fixes spec §9.1)", async () => {
  const pinged: string[] = [];
  let got: () => void;
  const arrived = new Promise<void>((r) => got = r);
  const server = await helloServer("", {
    ping: (req) => {
      pinged.push(req?.name ?? "");
      if (pinged.length === 2) got();
    },
  });
  try {
    for (const multiplexing of [false, true]) {
      pinged.length = 0;
      await withProxy([testRoute("s")], [testCluster("s", [server.port])], async (proxy, port) => {
        const c = await framedClient(port);
        c.client.ping(new Req({ name: "one" }));
        c.client.ping(new Req({ name: "two" }));
        assert.equal(await c.client.sayHello(new Req({ name: "after" })), "hello after");
        await arrived;
        assert.deepEqual(pinged, ["one", "two"]);
        await c.close();
        const counters = proxy.stats.snapshot().counters;
        assert.equal(counters.get("meta_protocol.thrift.test.request_oneway"), 2);
      }, multiplexing);
    }
  } finally {
    await server.close();
  }
});

Deno.test("startProxy() stops reading a client while the upstream does not read", async () => {
  const deaf = rawServer(() => {}); // accepts, never reads
  try {
    await withProxy([testRoute("d")], [testCluster("d", [deaf.port])], async (proxy, port) => {
      const client = await Deno.connect({ hostname: "127.0.0.1", port });
      const frame = libCall(FRAMED, { req: new Req({ name: "x".repeat(256 * 1024) }) });
      let written = 0;
      const writing = (async () => {
        for (let i = 0; i < 400; i++) {
          for (let at = 0; at < frame.length;) {
            const n = await client.write(frame.subarray(at)).catch(() => -1);
            if (n < 0) return;
            at += n;
            written += n;
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 1000));
      const decoded = proxy.stats.snapshot().counters.get(
        "meta_protocol.thrift.test.request_decoding_success",
      )!;
      // 400 × 256 KiB = 100 MiB offered; the proxy holds a few watermarks' worth.
      assert.ok(decoded * frame.length < 24 * 1024 * 1024, `the proxy took ${decoded} requests`);
      assert.ok(written < 400 * frame.length, "the client could write everything");
      client.close();
      await writing;
    }, true);
  } finally {
    deaf.close();
  }
});
