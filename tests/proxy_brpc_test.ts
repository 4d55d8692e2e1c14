/**
 * `aeraki proxy` running upstream's bRPC idle_timeout config (addresses and ports rewritten
 * in memory, the 5 s idle timeout shortened to keep the test quick) in front of a bRPC echo
 * server written here: frames are built and read by protobufjs from brpc's `RpcMeta`
 * schema (`codecs/brpc/_testing.ts`), not by the codec under test.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { brpcFrame, readBrpcMeta } from "../codecs/brpc/_testing.ts";
import { memoryIo } from "../operator/cli/command.ts";
import { main } from "../operator/cli/main.ts";

const DIR = new URL("./fixtures/upstream_proxy/", import.meta.url).pathname;
const CLUSTER = "outbound|20000||demo.brpc.server";
const enc = new TextEncoder();

/** Reads whole baidu_std frames from `conn`; `undefined` at end of stream. */
class FrameReader {
  #buf = new Uint8Array(0);
  constructor(readonly conn: Deno.Conn) {}

  async next(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#buf.length >= 12) {
        const size = 12 + new DataView(this.#buf.buffer, this.#buf.byteOffset).getUint32(4);
        if (this.#buf.length >= size) {
          const frame = this.#buf.slice(0, size);
          this.#buf = this.#buf.slice(size);
          return frame;
        }
      }
      const chunk = new Uint8Array(4096);
      const n = await this.conn.read(chunk).catch(() => null);
      if (n === null) return undefined;
      const next = new Uint8Array(this.#buf.length + n);
      next.set(this.#buf);
      next.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = next;
    }
  }
}

function payloadOf(frame: Uint8Array): Uint8Array {
  return frame.subarray(12 + new DataView(frame.buffer, frame.byteOffset).getUint32(8));
}

/** A bRPC server answering every request with its payload and correlation_id. */
function startEchoServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serving = new Set<Promise<void>>();
  const serve = async (conn: Deno.Conn) => {
    const reader = new FrameReader(conn);
    for (let f = await reader.next(); f !== undefined; f = await reader.next()) {
      const meta = readBrpcMeta(f) as { correlation_id?: string };
      const reply = brpcFrame(
        { response: { error_code: 0 }, correlation_id: meta.correlation_id ?? "0" },
        payloadOf(f),
      );
      await conn.write(reply).catch(() => {});
    }
    if (conns.delete(conn)) conn.close();
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const p = serve(conn);
      serving.add(p);
      p.finally(() => serving.delete(p));
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const c of conns) c.close();
      conns.clear();
      await accepting.catch(() => {});
      await Promise.all(serving);
    },
  };
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function rewrite(upstreamPort: number, idleTimeout: string): Promise<string> {
  const b = parse(await Deno.readTextFile(DIR + "idle_timeout.yaml")) as Json;
  b.admin.address.socket_address.port_value = 0;
  const l = b.static_resources.listeners;
  l.address.socket_address = { address: "127.0.0.1", port_value: 0 };
  l.filter_chains[0].filters[0].typed_config.idle_timeout = idleTimeout;
  const c = b.static_resources.clusters;
  assert.equal(c.name, CLUSTER);
  c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value =
    upstreamPort;
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(b));
  return file;
}

async function serve(file: string) {
  const io = memoryIo();
  const exit = main(["proxy", "-c", file], io);
  for (let i = 0; i < 1000 && !/admin on port \d+/.test(io.stdout()); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const port = Number(/listener "[^"]+" on port (\d+)/.exec(io.stdout())?.[1]);
  const admin = Number(/admin on port (\d+)/.exec(io.stdout())?.[1]);
  assert.ok(port > 0 && admin > 0, `proxy did not start: ${io.stdout()} ${io.stderr()}`);
  const stats = async () => await (await fetch(`http://127.0.0.1:${admin}/stats`)).text();
  const stop = async () => {
    await (await fetch(`http://127.0.0.1:${admin}/quitquitquit`, { method: "POST" })).text();
    return await exit;
  };
  return { port, stats, stop };
}

/** Resolves with `promise`, or fails after `ms` (a generous bound against hanging). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function call(service: string, id: number, body: string): Uint8Array {
  return brpcFrame({
    request: { service_name: service, method_name: "Echo", log_id: 1 },
    correlation_id: id,
  }, enc.encode(body));
}

Deno.test("aeraki proxy serves upstream's bRPC idle_timeout config: echo calls, then an idle close", async () => {
  const server = startEchoServer();
  const file = await rewrite(server.port, "0.3s");
  const p = await serve(file);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: p.port });
  const reader = new FrameReader(conn);
  try {
    for (const [id, body] of [[41, "hello"], [42, "bRPC é"]] as const) {
      await conn.write(call("example.EchoService", id, body));
      const reply = await within(reader.next(), 10_000, "an echo reply");
      assert.ok(reply, "the proxy closed the connection instead of replying");
      assert.deepEqual(readBrpcMeta(reply), {
        response: { error_code: 0 },
        correlation_id: String(id),
      });
      assert.equal(new TextDecoder().decode(payloadOf(reply)), body);
    }
    // Idle now: the proxy closes the downstream connection after the idle timeout.
    assert.equal(await within(reader.next(), 20_000, "the idle close"), undefined);
    const stats = await p.stats();
    assert.match(
      stats,
      /^meta_protocol\.brpc\.outbound\|20000\|\|demo\.brpc\.server\.request: 2$/m,
    );
    assert.match(stats, /\.idle_timeout: 1$/m);
  } finally {
    conn.close();
    assert.equal(await p.stop(), 0);
    await server.close();
    await Deno.remove(file);
  }
});

Deno.test("aeraki proxy answers a bRPC call with a bRPC error when the upstream is down", async () => {
  const server = startEchoServer();
  const file = await rewrite(server.port, "5s");
  await server.close(); // nothing listens on the cluster's port any more
  const p = await serve(file);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: p.port });
  try {
    await conn.write(call("example.EchoService", 77, "x"));
    const reply = await within(new FrameReader(conn).next(), 10_000, "an error reply");
    assert.ok(reply, "the proxy closed the connection instead of replying");
    const meta = readBrpcMeta(reply) as Json;
    assert.equal(meta.correlation_id, "77");
    assert.equal(meta.response.error_code, 2001); // brpc's EINTERNAL
    assert.match(meta.response.error_text, /^meta protocol upstream request: .*connection failure/);
  } finally {
    conn.close();
    assert.equal(await p.stop(), 0);
    await Deno.remove(file);
  }
});
