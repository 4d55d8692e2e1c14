import assert from "node:assert/strict";
import type { Message } from "../codecs/codec.ts";
import { trpcCodec } from "../codecs/trpc/mod.ts";
import { bytes, requestFrame, responseFrame } from "../codecs/trpc/_testing.ts";
import { startProxy } from "./proxy.ts";
import { testCluster, testModel, testRoute } from "./_testing.ts";
import { rawServer } from "./_test_upstreams.ts";

/** Calls `onMessage` for every tRPC frame arriving on `conn`. */
async function readTrpc(
  conn: Deno.Conn,
  side: "request" | "response",
  onMessage: (m: Message) => void,
) {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  while (true) {
    const n = await conn.read(chunk).catch(() => null);
    if (n === null) return;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
    for (
      let r = trpcCodec.decode(buf, { side });
      r.kind === "message";
      r = trpcCodec.decode(buf, { side })
    ) {
      onMessage({ ...r.message, metadata: new Map(r.message.metadata) } as Message);
      buf = buf.slice(r.bytesConsumed);
    }
  }
}

Deno.test("startProxy() multiplexes tRPC calls with clashing request ids, mutation in trans_info", async () => {
  const seen: string[] = [];
  const server = rawServer((c) =>
    readTrpc(c, "request", (m) => {
      seen.push(m.metadata.get("env") ?? "");
      const reply = responseFrame(
        { request_id: Number(m.requestId), trans_info: { who: bytes(m.metadata.get("who")!) } },
        bytes("ok"),
      );
      c.write(reply).catch(() => {});
    })
  );
  const route = testRoute("t", { callee: "trpc.test.helloworld" }, {
    requestMutation: [{ key: "env", value: "prod" }],
  });
  const proxy = await startProxy(
    testModel(
      "aeraki.meta_protocol.codec.trpc",
      "trpc",
      [route],
      [testCluster("t", [server.port])],
      {
        multiplexing: true,
      },
    ),
  );
  const port = proxy.ports.get("test")!;
  try {
    const results = await Promise.all([0, 1, 2].map(async (i) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const got = new Map<bigint, string>();
      const done = new Promise<void>((resolve) =>
        readTrpc(conn, "response", (m) => {
          got.set(m.requestId, m.metadata.get("who")!);
          if (got.size === 3) resolve();
        })
      );
      for (const id of [1, 2, 3]) {
        await conn.write(requestFrame({
          request_id: id,
          callee: bytes("trpc.test.helloworld"),
          func: bytes("/trpc.test.helloworld.Greeter/SayHello"),
          trans_info: { who: bytes(`c${i}-${id}`) },
        }));
      }
      await done;
      conn.close();
      return [...got].sort(([a], [b]) => Number(a - b));
    }));
    results.forEach((r, i) =>
      assert.deepEqual(r, [[1n, `c${i}-1`], [2n, `c${i}-2`], [3n, `c${i}-3`]])
    );
    assert.deepEqual(seen, Array(9).fill("prod"));
    assert.equal(server.conns.length, 1);
  } finally {
    await proxy.close();
    server.close();
  }
});
