import assert from "node:assert/strict";
import type { Codec, Message, Mutation } from "../codecs/codec.ts";
import type { AccessLogEntry, ListenerModel } from "./config/model.ts";
import { startProxy } from "./proxy.ts";
import { testCluster, testModel, testRoute } from "./_testing.ts";
import { kvClient, kvServer, muxKvCodec } from "../tests/proxy_kv.ts";

const KV = "example.meta_protocol.codec.kv";
const OK = [["status", "ok"]] as const;

/** The KV codec, told that no message can carry a mutation, counting encode() calls. */
function headerlessKv(): { codec: Codec; encodes: () => number } {
  let encodes = 0;
  const codec: Codec = {
    ...muxKvCodec,
    canMutate: () => false,
    encode(message: Message, mutation: Mutation) {
      encodes++;
      return muxKvCodec.encode(message, mutation);
    },
  };
  return { codec, encodes: () => encodes };
}

async function run(
  codec: Codec,
  more: Partial<ListenerModel>,
  accessLog?: (entry: AccessLogEntry) => void,
) {
  const seen: ReadonlyMap<string, string>[] = [];
  const server = kvServer((m) => {
    seen.push(m.metadata);
    return OK;
  });
  const route = testRoute("s", {}, {
    requestMutation: more.accessLogs ? [] : [{ key: "k", value: "v" }],
  });
  const proxy = await startProxy(
    testModel(KV, "kv", [route], [testCluster("s", [server.port])], more),
    { codecs: new Map([[KV, codec]]), accessLog: (_l, _i, e) => accessLog?.(e) },
  );
  try {
    const c = await kvClient(proxy.ports.get("test")!);
    for (let i = 0; i < 3; i++) assert.equal((await c.call([["method", "go"]])).status, "ok");
    c.close();
    return { seen, counters: proxy.stats.snapshot().counters };
  } finally {
    await proxy.close();
    server.close();
  }
}

for (const multiplexing of [false, true]) {
  Deno.test(`startProxy() skips the mutation and x-request-id a message cannot carry (multiplexing ${multiplexing})`, async () => {
    const kv = headerlessKv();
    const { seen, counters } = await run(kv.codec, { multiplexing });
    assert.equal(kv.encodes(), 0, "no encode() for a message that cannot carry a mutation");
    assert.equal(seen.length, 3);
    for (const m of seen) assert.equal(m.get("x-request-id"), undefined);
    assert.equal(counters.get("meta_protocol.kv.test.request_mutation_unsupported"), 3);
  });
}

Deno.test("startProxy() still gives the access log an x-request-id a message cannot carry", async () => {
  const kv = headerlessKv();
  const entries: AccessLogEntry[] = [];
  await run(
    kv.codec,
    { accessLogs: [{ name: "envoy.access_loggers.file", config: {} }] },
    (e) => entries.push(e),
  );
  assert.equal(entries.length, 3);
  const ids = new Set(entries.map((e) => e.requestHeaders.get("x-request-id")));
  assert.equal(ids.size, 3, "one generated id per request");
  for (const id of ids) assert.match(id!, /^[0-9a-f-]{36}$/);
});

Deno.test("startProxy() generates x-request-id where the codec can carry it", async () => {
  const { seen } = await run(muxKvCodec, { multiplexing: true });
  assert.equal(seen.length, 3);
  for (const m of seen) assert.match(m.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  assert.equal(new Set(seen.map((m) => m.get("x-request-id"))).size, 3);
});
