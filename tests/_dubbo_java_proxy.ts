/**
 * Test helpers: an Envoy bootstrap routing `org.apache.dubbo.samples.GreetingService` to two
 * Java providers (v1, v2), and `aeraki proxy -c` serving it in this process. Listeners and
 * endpoints are on ::1, where the Java peers stay (see `JAVA_PEER_HOST`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { memoryIo } from "../operator/cli/command.ts";
import { main } from "../operator/cli/main.ts";
import { JAVA_PEER_HOST } from "./dubbo_java_app.ts";

/** The interface the Java peers serve. */
export const GREETING_SERVICE = "org.apache.dubbo.samples.GreetingService";

const ROUTE = "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";

function cluster(name: string, port: number) {
  return {
    name,
    type: "STATIC",
    connect_timeout: "5s",
    load_assignment: {
      cluster_name: name,
      endpoints: [{
        lb_endpoints: [{
          endpoint: { address: { socket_address: { address: JAVA_PEER_HOST, port_value: port } } },
        }],
      }],
    },
  };
}

/**
 * The routes: `sayHello` on the interface splits 3:1 between v1 and v2 and gets a request
 * and a response mutation; `greet` goes to v2; any other call goes where its `target`
 * attachment says (v1 or v2), and a call with none matches no route.
 */
const ROUTES = [
  {
    name: "hello-split",
    match: {
      metadata: [
        { name: "interface", exact_match: GREETING_SERVICE },
        { name: "method", exact_match: "sayHello" },
      ],
    },
    route: {
      weighted_clusters: { clusters: [{ name: "v1", weight: 3 }, { name: "v2", weight: 1 }] },
    },
    request_mutation: [{ key: "x-aeraki-route", value: "hello-split" }],
    response_mutation: [{ key: "x-aeraki-proxy", value: "deno" }],
  },
  {
    name: "greet-v2",
    match: { metadata: [{ name: "method", exact_match: "greet" }] },
    route: { cluster: "v2" },
  },
  ...["v1", "v2"].map((v) => ({
    name: `target-${v}`,
    match: { metadata: [{ name: "target", exact_match: v }] },
    route: { cluster: v },
  })),
];

function listener(name: string, multiplexing: boolean) {
  return {
    name,
    address: { socket_address: { address: JAVA_PEER_HOST, port_value: 0 } },
    filter_chains: [{
      filters: [{
        name: "aeraki.meta_protocol_proxy",
        typed_config: {
          "@type": ROUTE,
          stat_prefix: name,
          protocol: {
            name: "dubbo",
            codec: { name: "aeraki.meta_protocol.codec.dubbo" },
            multiplexing,
          },
          meta_protocol_filters: [{ name: "aeraki.meta_protocol.filters.router" }],
          route_config: { name: "greeting", routes: ROUTES },
        },
      }],
    }],
  };
}

/** A bootstrap with a multiplexed listener `mux` and an exclusive one `exclusive`. */
export function greetingBootstrap(v1: number, v2: number): unknown {
  return {
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    static_resources: {
      listeners: [listener("mux", true), listener("exclusive", false)],
      clusters: [cluster("v1", v1), cluster("v2", v2)],
    },
  };
}

/** `aeraki proxy -c` serving `bootstrap` in this process. */
export interface ServedProxy {
  /** The port of each listener, by name. */
  readonly ports: Record<string, number>;
  /** One counter or gauge from `/stats`, 0 when absent. */
  stat(name: string): Promise<number>;
  /** Asks the proxy to quit (`/quitquitquit`) and waits for its exit code. */
  close(): Promise<number>;
}

/** Writes `bootstrap` to a file and serves it with `aeraki proxy -c`. */
export async function serveBootstrap(bootstrap: unknown): Promise<ServedProxy> {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(bootstrap));
  const io = memoryIo();
  const exit = main(["proxy", "-c", file], io);
  for (let i = 0; i < 1000 && !/admin on port \d+/.test(io.stdout()); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const admin = Number(/admin on port (\d+)/.exec(io.stdout())?.[1]);
  assert.ok(admin > 0, `proxy did not start: ${io.stdout()} ${io.stderr()}`);
  const ports: Record<string, number> = {};
  for (const m of io.stdout().matchAll(/listener "([^"]+)" on port (\d+)/g)) ports[m[1]] = +m[2];
  const get = async (path: string, method = "GET") =>
    await (await fetch(`http://127.0.0.1:${admin}${path}`, { method })).text();
  return {
    ports,
    async stat(name) {
      const line = (await get("/stats")).split("\n").find((l) => l.startsWith(`${name}: `));
      return line ? Number(line.slice(name.length + 2)) : 0;
    },
    async close() {
      await get("/quitquitquit", "POST");
      const code = await exit;
      await Deno.remove(file);
      return code;
    },
  };
}
