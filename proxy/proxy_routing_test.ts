import assert from "node:assert/strict";
import { connectClient, libCall, STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import { thriftCodec } from "../codecs/thrift/mod.ts";
import type { ClusterModel, ProxyHandle, RouteModel } from "./config/model.ts";
import { testCluster, testRoute, withThriftProxy } from "./_testing.ts";
import { framedClient, helloServer } from "./_test_upstreams.ts";

const HEADER = STACKS.find((s) => s.name === "header/binary")!;

function withProxy(
  routes: RouteModel[],
  clusters: ClusterModel[],
  body: (proxy: ProxyHandle, port: number) => Promise<void>,
  multiplexing = true,
): Promise<void> {
  return withThriftProxy(routes, clusters, body, multiplexing);
}

Deno.test("startProxy() splits traffic by weight between clusters", async () => {
  const v1 = await helloServer(" from v1");
  const v2 = await helloServer(" from v2");
  const route = testRoute("", {}, {
    action: {
      target: {
        kind: "weighted",
        clusters: [{ name: "v1", weight: 80 }, { name: "v2", weight: 20 }],
      },
    },
  });
  try {
    await withProxy(
      [route],
      [testCluster("v1", [v1.port]), testCluster("v2", [v2.port])],
      async (_, port) => {
        const c = await framedClient(port);
        const counts = { v1: 0, v2: 0 };
        for (let i = 0; i < 400; i++) {
          const reply = await c.client.sayHello(new Req({ name: "n" }));
          counts[reply.endsWith("v1") ? "v1" : "v2"]++;
        }
        await c.close();
        // 80/20 of 400: 320 expected; far outside ±60 is a broken split, not chance.
        assert.ok(counts.v1 > 260 && counts.v1 < 380, `split ${JSON.stringify(counts)}`);
      },
    );
  } finally {
    await v1.close();
    await v2.close();
  }
});

for (const lbPolicy of ["RING_HASH", "MAGLEV"] as const) {
  Deno.test(`startProxy() sends the same hash key to the same endpoint (${lbPolicy})`, async () => {
    const servers = await Promise.all([0, 1, 2].map((i) => helloServer(` @${i}`, {}, HEADER)));
    const route = testRoute("h", {}, { action: { hashPolicy: ["user"] } });
    const cluster = testCluster("h", servers.map((s) => s.port), { lbPolicy });
    try {
      await withProxy([route], [cluster], async (_, port) => {
        const seen = new Map<string, Set<string>>();
        // Twelve keys: with three endpoints on random ports, all on one is a 1-in-177,147 chance.
        const users = [
          "ann",
          "bob",
          "cy",
          "dee",
          "eve",
          "fay",
          "gus",
          "hal",
          "ivy",
          "jo",
          "kim",
          "lu",
        ];
        for (const user of users) {
          const c = await connectClient(HEADER, port, { user });
          for (let i = 0; i < 3; i++) {
            const reply = await c.client.sayHello(new Req({ name: user }));
            if (!seen.has(user)) seen.set(user, new Set());
            seen.get(user)!.add(reply.split("@")[1]);
          }
          await c.close();
        }
        for (const [user, endpoints] of seen) {
          assert.equal(endpoints.size, 1, `${user} went to ${[...endpoints]}`);
        }
        const used = new Set([...seen.values()].map((s) => [...s][0]));
        assert.ok(used.size > 1, "twelve keys all on one endpoint");
      });
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
}

Deno.test("startProxy() mirrors calls without affecting the caller", async () => {
  const main = await helloServer(" main");
  const mirrored: string[] = [];
  const shadow = await helloServer(" shadow", {
    sayHello: (req, result) => {
      mirrored.push(req?.name ?? "");
      result(null, "ignored");
    },
  });
  const route = testRoute("main", {}, { action: { mirrors: [{ cluster: "shadow" }] } });
  try {
    await withProxy(
      [route],
      [testCluster("main", [main.port]), testCluster("shadow", [shadow.port])],
      async (_, port) => {
        const c = await framedClient(port);
        for (const name of ["a", "b", "c"]) {
          assert.equal(await c.client.sayHello(new Req({ name })), `hello ${name} main`);
        }
        await c.close();
        for (let i = 0; i < 50 && mirrored.length < 3; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.deepEqual(mirrored.sort(), ["a", "b", "c"]);
      },
    );
  } finally {
    await main.close();
    await shadow.close();
  }
});

Deno.test("startProxy() writes request mutation and x-request-id into THeader headers", async () => {
  const seen: Record<string, string>[] = [];
  const server = await startServer(HEADER, {
    sayHello: (req, result) => result(null, `hello ${req?.name}`),
    ping: () => {},
    onHeaders: (_m, headers) => seen.push(headers),
  });
  const route = testRoute("s", {}, { requestMutation: [{ key: "foo", value: "bar" }] });
  try {
    await withProxy([route], [testCluster("s", [server.port])], async (_, port) => {
      const c = await connectClient(HEADER, port, { caller: "me" });
      assert.equal(await c.client.sayHello(new Req({ name: "x" })), "hello x");
      await c.close();
      assert.equal(seen[0].foo, "bar");
      assert.equal(seen[0].caller, "me");
      assert.match(
        seen[0]["x-request-id"],
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("startProxy() applies response mutation (fixes spec §9.4)", async () => {
  const server = await startServer(HEADER, {
    sayHello: (req, result) => result(null, `hello ${req?.name}`),
    ping: () => {},
  });
  const route = testRoute("s", {}, { responseMutation: [{ key: "served-by", value: "proxy" }] });
  try {
    for (const multiplexing of [false, true]) {
      await withProxy([route], [testCluster("s", [server.port])], async (_, port) => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(libCall(HEADER, { seqid: 77, req: new Req({ name: "x" }) }));
        const buf = new Uint8Array(4096);
        let have = 0;
        let decoded;
        while (true) {
          have += (await conn.read(buf.subarray(have)))!;
          decoded = thriftCodec.decode(buf.subarray(0, have), { side: "response" });
          if (decoded.kind !== "need-more") break;
        }
        conn.close();
        assert.equal(decoded.kind, "message");
        assert.equal(decoded.message.metadata.get("served-by"), "proxy");
        assert.equal(decoded.message.requestId, 77n);
      }, multiplexing);
    }
  } finally {
    await server.close();
  }
});

Deno.test("startProxy() forwards a mutation a framed message cannot carry, and counts it", async () => {
  const server = await helloServer();
  const route = testRoute("s", {}, { requestMutation: [{ key: "foo", value: "bar" }] });
  try {
    await withProxy([route], [testCluster("s", [server.port])], async (proxy, port) => {
      const c = await framedClient(port);
      assert.equal(await c.client.sayHello(new Req({ name: "x" })), "hello x");
      await c.close();
      const counters = proxy.stats.snapshot().counters;
      assert.equal(counters.get("meta_protocol.thrift.test.request_mutation_unsupported"), 1);
    });
  } finally {
    await server.close();
  }
});

Deno.test("startProxy() applies route swaps to the next call without closing connections", async () => {
  const a = await helloServer(" A");
  const b = await helloServer(" B");
  const table = (cluster: string) => ({ name: "test-routes", routes: [testRoute(cluster)] });
  try {
    await withProxy(
      [testRoute("a")],
      [testCluster("a", [a.port]), testCluster("b", [b.port])],
      async (proxy, port) => {
        const clients = await Promise.all(Array.from({ length: 32 }, () => framedClient(port)));
        let failed = 0;
        let stop = false;
        const seen = new Set<string>();
        const loops = clients.map(async ({ client }) => {
          while (!stop) {
            try {
              seen.add((await client.sayHello(new Req({ name: "n" }))).slice(-1));
            } catch {
              failed++;
            }
          }
        });
        for (let i = 0; i < 200; i++) {
          proxy.updateRoutes(table(i % 2 === 1 ? "b" : "a"));
          await new Promise((r) => setTimeout(r, 1));
        }
        stop = true;
        await Promise.all(loops);
        // A connection closed by a swap would fail its calls, in the loop or here.
        for (const c of clients) {
          assert.equal(await c.client.sayHello(new Req({ name: "z" })), "hello z B");
          await c.close();
        }
        assert.equal(failed, 0);
        assert.deepEqual([...seen].sort(), ["A", "B"]);
      },
    );
  } finally {
    await a.close();
    await b.close();
  }
});
