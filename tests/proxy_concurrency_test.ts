/**
 * `aeraki proxy --concurrency N` end to end: N processes share the listener port with
 * SO_REUSEPORT, the kernel spreads client connections over them, every call is answered,
 * and a SIGTERM to the parent drains the workers too. Runs the CLI as a child process
 * (the workers are started from its main module).
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { Req } from "../codecs/thrift/_test_service.ts";
import { framedClient, helloServer } from "../proxy/_test_upstreams.ts";

const FIXTURE = new URL("./fixtures/upstream_proxy/thrift.yaml", import.meta.url).pathname;
const CLI = new URL("../operator/cli/main.ts", import.meta.url).pathname;
const CLUSTER = "outbound|9090||thrift-sample-server.thrift.svc.cluster.local";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function bootstrap(upstream: number, port: number): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const b = parse(await Deno.readTextFile(FIXTURE)) as any;
  b.admin.address.socket_address.port_value = 0;
  const listener = [b.static_resources.listeners].flat()[0];
  listener.address.socket_address = { address: "127.0.0.1", port_value: port };
  const cluster = [b.static_resources.clusters].flat()[0];
  cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address
    .port_value = upstream;
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(b));
  return file;
}

/** Reads the child's stdout until `pattern` shows; returns everything read. */
async function until(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp) {
  let text = "";
  const dec = new TextDecoder();
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  return text;
}

Deno.test("aeraki proxy --concurrency 2 spreads connections over two processes and drains both", async () => {
  const server = await helloServer();
  const port = freePort();
  const file = await bootstrap(server.port, port);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-net", CLI, "proxy", "-c", file, "--concurrency=2"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = child.stdout.getReader();
  const clients: Awaited<ReturnType<typeof framedClient>>[] = [];
  try {
    const started = await until(out, /2 processes share the listeners\n/);
    const admin = Number(/admin on port (\d+)/.exec(started)?.[1]);
    assert.ok(admin > 0, started);
    for (let i = 0; i < 24; i++) clients.push(await framedClient(port));
    const replies = await Promise.all(
      clients.map((c, i) => c.client.sayHello(new Req({ name: `c${i}` }))),
    );
    assert.deepEqual(replies, clients.map((_, i) => `hello c${i}`));
    const stats = await (await fetch(`http://127.0.0.1:${admin}/stats`)).text();
    const counted = Number(
      new RegExp(`meta_protocol\\.thrift\\.${CLUSTER.replaceAll("|", "\\|")}\\.request: (\\d+)`)
        .exec(stats)?.[1] ?? "0",
    );
    // The parent counts only its own connections: some, but not all, went to the worker.
    assert.ok(counted > 0 && counted < 24, `the parent answered ${counted} of 24 calls`);
  } finally {
    for (const c of clients) await c.close();
    child.kill("SIGTERM");
    const rest = await until(out, /drained\n/);
    const status = await child.status;
    const err = new TextDecoder().decode(
      (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
    );
    await server.close();
    await Deno.remove(file);
    assert.equal(status.code, 0, err);
    assert.match(rest, /drained\n$/);
  }
});
