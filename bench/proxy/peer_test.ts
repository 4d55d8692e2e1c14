import assert from "node:assert/strict";
import { dubboCodec } from "../../codecs/dubbo/mod.ts";
import { thriftCodec } from "../../codecs/thrift/mod.ts";
import { expectMessage } from "../../codecs/dubbo/_testing.ts";
import { dubboCall, dubboReply, thriftCall, thriftReplyTo } from "./frames.ts";
import type { LoadResult } from "./_report.ts";
import { spawn, waitListening } from "./_spawn.ts";

const here = new URL(".", import.meta.url).pathname;
const hasGo = (() => {
  try {
    return new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

function goPeer(): string[] {
  const out = new Deno.Command("bash", { args: [`${here}../../_tools/build_bench_peer.sh`] })
    .outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return [new TextDecoder().decode(out.stdout).trim()];
}

const denoPeer = () => [Deno.execPath(), "run", "--allow-all", `${here}deno_peer.ts`];

/** Sends one frame and returns the first whole reply frame, read until `size` bytes. */
async function call(port: number, frame: Uint8Array, size: number): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(frame);
    const out = new Uint8Array(size);
    let have = 0;
    while (have < size) {
      const n = await conn.read(out.subarray(have));
      if (n === null) throw new Error(`Connection closed after ${have} of ${size} bytes`);
      have += n;
    }
    return out;
  } finally {
    conn.close();
  }
}

async function checkPeer(peer: string[], io: string[] = []) {
  const dir = Deno.makeTempDirSync();
  Deno.writeFileSync(`${dir}/thrift`, thriftCall());
  Deno.writeFileSync(`${dir}/dubbo`, dubboCall());
  Deno.writeFileSync(`${dir}/reply`, dubboReply());
  const thrift = spawn("thrift", [...peer, "serve", ...io, "--proto=thrift"], {
    log: `${dir}/t.log`,
  });
  const dubbo = spawn("dubbo", [...peer, "serve", ...io, "--proto=dubbo", `--reply=${dir}/reply`], {
    log: `${dir}/d.log`,
  });
  try {
    const tPort = await waitListening(thrift), dPort = await waitListening(dubbo);
    assert.deepEqual(await call(tPort, thriftCall(41), 128), thriftReplyTo(thriftCall(41)));
    const reply = expectMessage(
      dubboCodec.decode(await call(dPort, dubboCall(5n), dubboReply().length)),
    );
    assert.equal(reply.requestId, 5n);
    assert.equal(reply.status, "ok");
    for (const [proto, port, depth] of [["thrift", tPort, 3], ["dubbo", dPort, 1]] as const) {
      const args = [
        `--addr=127.0.0.1:${port}`,
        `--proto=${proto}`,
        `--request=${dir}/${proto}`,
        "--c=3",
        `--depth=${depth}`,
        "--d=300ms",
        "--warmup=100ms",
        `--watch=upstream:${thrift.pid}`,
      ];
      const out = await new Deno.Command(peer[0], {
        args: [...peer.slice(1), "load", ...io, ...args],
      })
        .output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const result: LoadResult = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(result.lost, 0, result.lost_reason ?? "");
      assert.equal(result.failed, 0);
      assert.ok(result.calls > 0, "no call completed");
      assert.ok(
        result.p50_us > 0 && result.p50_us <= result.p99_us && result.p99_us <= result.max_us,
      );
      assert.ok("loadgen" in result.cpu_us && "upstream" in result.cpu_us);
    }
    // The codec agrees with the frames the peers exchange.
    assert.equal(expectMessage(thriftCodec.decode(thriftReplyTo(thriftCall(41)))).requestId, 41n);
  } finally {
    await thrift.stop();
    await dubbo.stop();
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("deno_peer.ts serve answers each call and load reports whole, id-checked replies", async () => {
  await checkPeer(denoPeer());
});

for (const io of ["epoll", "goroutines"]) {
  Deno.test({
    name:
      `benchpeer (Go, ${io}) serve answers each call and load reports whole, id-checked replies`,
    ignore: !hasGo,
    fn: () => checkPeer(goPeer(), [`--io=${io}`]),
  });
}

/** Runs `load` against a server that answers every call with the reply to another seqid. */
async function loadAgainstWrongIds(peer: string[]): Promise<LoadResult> {
  const dir = Deno.makeTempDirSync();
  Deno.writeFileSync(`${dir}/thrift`, thriftCall());
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const wrong = thriftReplyTo(thriftCall(123456));
  const serving = (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(128);
        try {
          while ((await conn.read(buf)) !== null) await conn.write(wrong);
        } catch { /* the load generator closed it */ }
      })();
    }
  })();
  try {
    const args = [
      `--addr=127.0.0.1:${listener.addr.port}`,
      "--proto=thrift",
      `--request=${dir}/thrift`,
      "--c=2",
      "--d=300ms",
      "--warmup=50ms",
    ];
    const out = await new Deno.Command(peer[0], { args: [...peer.slice(1), "load", ...args] })
      .output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    listener.close();
    await serving.catch(() => {});
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("deno_peer.ts load drops a connection whose reply carries a seqid not in flight", async () => {
  const result = await loadAgainstWrongIds(denoPeer());
  assert.equal(result.lost, 2);
  assert.match(result.lost_reason ?? "", /unexpected request id 123456/);
  assert.equal(result.calls, 0);
});

Deno.test({
  name: "benchpeer (Go) load drops a connection whose reply carries a seqid not in flight",
  ignore: !hasGo,
  async fn() {
    const result = await loadAgainstWrongIds(goPeer());
    assert.equal(result.lost, 2);
    assert.match(result.lost_reason ?? "", /unexpected request id 123456/);
    assert.equal(result.calls, 0);
  },
});

Deno.test("thrift_npm_server.ts (npm thrift library) answers a call with thriftReplyTo's bytes", async () => {
  const dir = Deno.makeTempDirSync();
  const server = spawn("npm thrift", [
    Deno.execPath(),
    "run",
    "--allow-all",
    `${here}thrift_npm_server.ts`,
  ], {
    log: `${dir}/s.log`,
  });
  try {
    const port = await waitListening(server);
    assert.deepEqual(await call(port, thriftCall(8), 128), thriftReplyTo(thriftCall(8)));
    // Clients that close with replies unread reset their connections; the server lives on.
    for (let i = 0; i < 20; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new Uint8Array([...thriftCall(1), ...thriftCall(2), ...thriftCall(3)]));
      conn.close();
    }
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await call(port, thriftCall(9 + i), 128), thriftReplyTo(thriftCall(9 + i)));
    }
  } finally {
    await server.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});
