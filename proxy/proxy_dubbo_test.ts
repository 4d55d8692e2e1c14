import assert from "node:assert/strict";
import {
  dubboFrame,
  dubboFrames,
  hessianBody,
  hessianRead,
  requestFrame,
} from "../codecs/dubbo/_testing.ts";
import { startProxy } from "./proxy.ts";
import { testCluster, testModel, testRoute } from "./_testing.ts";
import { rawServer } from "./_test_upstreams.ts";

const DUBBO = "aeraki.meta_protocol.codec.dubbo";

const idOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getBigInt64(4);
const statusOf = (f: Uint8Array) => f[3];

/** A Dubbo provider answering `hello <first argument>` (hessian.js response body). */
function provider(onOneway: (arg: unknown) => void = () => {}) {
  return rawServer(async (c) => {
    for await (const f of dubboFrames(c)) {
      const args = hessianRead(f.subarray(16), 6);
      if ((f[2] & 0x40) === 0) {
        onOneway(args[5]);
        continue;
      }
      const body = hessianBody(1, `hello ${args[5]}`);
      await c.write(dubboFrame(0x02, 20, idOf(f), body));
    }
  });
}

async function roundTrip(conn: Deno.Conn, request: Uint8Array): Promise<Uint8Array> {
  await conn.write(request);
  const it = dubboFrames(conn);
  const r = await it.next();
  assert.ok(!r.done, "the proxy closed the connection");
  return r.value;
}

Deno.test("startProxy() multiplexes Dubbo calls that reuse ids across connections", async () => {
  const server = provider();
  const proxy = await startProxy(
    testModel(DUBBO, "dubbo", [testRoute("p", { method: "sayHello" })], [
      testCluster("p", [server.port]),
    ], { multiplexing: true }),
  );
  const port = proxy.ports.get("test")!;
  try {
    const conns = await Promise.all(
      [0, 1, 2, 3].map(() => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    // Every connection uses ids 1..5: upstream they must not collide.
    const replies = await Promise.all(conns.map(async (c, i) => {
      const out: string[] = [];
      for (let id = 1n; id <= 5n; id++) {
        const reply = await roundTrip(c, requestFrame({ args: [`c${i}`] }, id));
        assert.equal(idOf(reply), id, "the client's id comes back");
        assert.equal(statusOf(reply), 20);
        out.push(hessianRead(reply.subarray(16), 2)[1] as string);
      }
      return out;
    }));
    assert.deepEqual(replies, [0, 1, 2, 3].map((i) => Array(5).fill(`hello c${i}`)));
    assert.equal(server.conns.length, 1, "one shared upstream connection");
    for (const c of conns) c.close();
  } finally {
    await proxy.close();
    server.close();
  }
});

Deno.test("startProxy() answers Dubbo heartbeats itself and errors with a Dubbo status (fixes §9.2)", async () => {
  const server = provider();
  const proxy = await startProxy(
    testModel(DUBBO, "dubbo", [testRoute("p", { method: "sayHello" })], [
      testCluster("p", [server.port]),
    ]),
  );
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.ports.get("test")! });
  try {
    const beat = await roundTrip(conn, dubboFrame(0xe2, 0, 99n, hessianBody(null)));
    assert.equal(idOf(beat), 99n);
    assert.equal(beat[2] & 0x20, 0x20, "a heartbeat reply");
    assert.equal(server.conns.length, 0, "heartbeats are not forwarded");
    const miss = await roundTrip(conn, requestFrame({ method: "other" }, 5n));
    assert.equal(idOf(miss), 5n);
    assert.equal(statusOf(miss), 60, "SERVICE_NOT_FOUND");
    assert.equal(
      hessianRead(miss.subarray(16), 1)[0],
      "meta protocol router: no matched route for request '5'",
    );
  } finally {
    conn.close();
    await proxy.close();
    server.close();
  }
});

Deno.test("startProxy() forwards Dubbo oneway requests (fixes §9.1)", async () => {
  let got: (v: unknown) => void;
  const arrived = new Promise((r) => got = r);
  const server = provider((arg) => got(arg));
  const proxy = await startProxy(
    testModel(DUBBO, "dubbo", [testRoute("p")], [testCluster("p", [server.port])], {
      multiplexing: true,
    }),
  );
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.ports.get("test")! });
  try {
    await conn.write(requestFrame({ args: ["fire"] }, 3n, 0x82));
    assert.equal(await arrived, "fire");
  } finally {
    conn.close();
    await proxy.close();
    server.close();
  }
});
