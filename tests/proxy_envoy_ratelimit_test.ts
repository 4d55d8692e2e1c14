/**
 * The global rate-limit filter against Envoy's own rate-limit service (envoyproxy/ratelimit,
 * built by `_tools/install_ratelimit.sh`) backed by Debian's redis-server, running upstream's
 * global-ratelimit config and its service config (domain `production`, descriptor `method`
 * = `sayHello`, 5 requests per unit). Ignored where the binary or redis-server is missing.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { connectClient, STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import { loadBootstrapText } from "../proxy/bootstrap/mod.ts";
import { runBootstrap } from "../proxy/server/run.ts";

const DIR = new URL("./fixtures/upstream_proxy/", import.meta.url).pathname;
const VERSION = "v1.4.1-0.20260122083618-3fb702589d36";
const CACHE = Deno.env.get("AERAKI_CACHE") ?? `${Deno.env.get("HOME")}/.cache/aeraki-deno`;
const RATELIMIT = `${CACHE}/bin/envoy-ratelimit-${VERSION}`;
const STACK = STACKS[0];

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function redisServer(): string | undefined {
  return ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find(exists);
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitForPort(port: number, what: string, proc: Deno.ChildProcess): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  proc.kill();
  throw new Error(`${what} did not open port ${port}`);
}

Deno.test({
  name: "global rate limit with Envoy's rate-limit service and redis (upstream's configs)",
  ignore: !exists(RATELIMIT) || !redisServer(),
  async fn() {
    const runtime = await Deno.makeTempDir();
    // Upstream's service config, with an hour instead of a minute as the unit so the window
    // does not roll over during the test.
    const config = parse(await Deno.readTextFile(DIR + "global-ratelimit-service.yaml"));
    config.descriptors[0].rate_limit.unit = "hour";
    await Deno.mkdir(`${runtime}/ratelimit/config`, { recursive: true });
    await Deno.writeTextFile(`${runtime}/ratelimit/config/config.yaml`, stringify(config));
    const redisPort = freePort();
    const redis = new Deno.Command(redisServer()!, {
      args: [
        "--port",
        String(redisPort),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const grpcPort = freePort();
    const limiter = new Deno.Command(RATELIMIT, {
      env: {
        USE_STATSD: "false",
        LOG_LEVEL: "warn",
        REDIS_SOCKET_TYPE: "tcp",
        REDIS_URL: `127.0.0.1:${redisPort}`,
        RUNTIME_ROOT: runtime,
        RUNTIME_SUBDIRECTORY: "ratelimit",
        RUNTIME_WATCH_ROOT: "false",
        HOST: "127.0.0.1",
        GRPC_HOST: "127.0.0.1",
        PORT: String(freePort()),
        GRPC_PORT: String(grpcPort),
        DEBUG_HOST: "127.0.0.1",
        DEBUG_PORT: String(freePort()),
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = await startServer(STACK, {
      sayHello: (req, result) => result(null, `hello ${req?.name}`),
      ping: () => {},
    });
    let running: Awaited<ReturnType<typeof runBootstrap>> | undefined;
    let client: Awaited<ReturnType<typeof connectClient>> | undefined;
    try {
      await waitForPort(redisPort, "redis-server", redis);
      await waitForPort(grpcPort, "envoyproxy/ratelimit", limiter);
      const b = parse(await Deno.readTextFile(DIR + "global-ratelimit.yaml"));
      b.admin.address.socket_address.port_value = 0;
      b.static_resources.listeners.address.socket_address = { address: "127.0.0.1", port_value: 0 };
      const mpp = b.static_resources.listeners.filter_chains[0].filters[0].typed_config;
      // The 20 ms default deadline would make the outcome depend on this machine's load.
      mpp.metaProtocolFilters[0].config.timeout = "5s";
      const ports: Record<string, number> = { ratelimit: grpcPort };
      ports[b.static_resources.clusters[0].name] = server.port;
      for (const c of b.static_resources.clusters) {
        c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value =
          ports[c.name];
      }
      const loaded = loadBootstrapText(JSON.stringify(b), { file: "global-ratelimit.json" });
      assert.ok(loaded.ok);
      running = await runBootstrap(loaded.config, { log: () => {} });
      client = await connectClient(STACK, running.proxy.ports.get("listener_meta_protocol")!);
      const outcomes: string[] = [];
      for (let i = 0; i < 7; i++) {
        outcomes.push(
          await client.client.sayHello(new Req({ name: `${i}` })).then(
            () => "ok",
            (e: Error) => e.message,
          ),
        );
      }
      assert.deepEqual(outcomes.slice(0, 5), ["ok", "ok", "ok", "ok", "ok"]);
      assert.match(
        outcomes[5],
        /meta protocol global ratelimit: request '\d+' has been rate limited/,
      );
      assert.match(outcomes[6], /has been rate limited/);
    } finally {
      await client?.close();
      await running?.drain();
      limiter.kill();
      redis.kill();
      await limiter.status;
      await redis.status;
      await server.close();
      await Deno.remove(runtime, { recursive: true });
    }
  },
});
