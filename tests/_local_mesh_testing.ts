/**
 * Test helpers for `aeraki local`: a temporary mesh folder with a Thrift ServiceEntry on a
 * loopback address whose endpoints are npm `thrift` servers (v1, v2), the local mesh run in
 * a Scope, and library clients that count failed calls and closed connections.
 *
 * @module
 */
import thrift from "thrift";
import { Effect, Exit, Scope } from "effect";
import { STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import { Client } from "../codecs/thrift/_test_service_rpc.ts";
import { type LocalMesh, localMesh, type LocalMeshOptions } from "../operator/local/mod.ts";

const STACK = STACKS[0];

/** A free port on `address` (bound and released). */
export function freePort(address: string): number {
  const l = Deno.listen({ hostname: address, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The ServiceEntry + DestinationRule of the hello service. */
export function serviceYaml(vip: string, port: number, v1: number, v2: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: hello, namespace: demo }
spec:
  hosts: [hello.demo.local]
  addresses: [${vip}]
  ports: [{ number: ${port}, name: tcp-metaprotocol-thrift-hello, protocol: TCP }]
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints:
    - { address: 127.0.0.1, ports: { tcp-metaprotocol-thrift-hello: ${v1} }, labels: { version: v1 } }
    - { address: 127.0.0.1, ports: { tcp-metaprotocol-thrift-hello: ${v2} }, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: hello, namespace: demo }
spec:
  host: hello.demo.local
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
`;
}

/** A MetaRouter splitting `hello` between v1 and v2. */
export function routerYaml(v1: number, v2: number | string): string {
  return `apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: MetaRouter
metadata: { name: hello, namespace: demo }
spec:
  hosts: [hello.demo.local]
  routes:
    - name: split
      route:
        - { destination: { host: hello.demo.local, subset: v1 }, weight: ${v1} }
        - { destination: { host: hello.demo.local, subset: v2 }, weight: ${v2} }
`;
}

/** A library client whose closes are counted. */
export interface CountedClient {
  readonly client: Client;
  close(): Promise<void>;
}

/** Counts of every client of a {@link LocalMeshFixture}. */
export interface ClientCounts {
  closed: number;
  errors: number;
}

/** Connects a library client to `address:port`, counting unexpected closes and errors. */
export async function connectCounted(
  address: string,
  port: number,
  counts: ClientCounts,
): Promise<CountedClient> {
  const connection = thrift.createConnection(address, port, {
    transport: STACK.transport,
    protocol: STACK.protocol,
  }) as { end(): void; on(event: string, cb: (e?: unknown) => void): void };
  let ending = false;
  const closed = new Promise<void>((resolve) =>
    connection.on("close", () => {
      if (!ending) counts.closed++;
      resolve();
    })
  );
  connection.on("error", () => counts.errors++);
  await new Promise<void>((resolve) => connection.on("connect", () => resolve()));
  const client = thrift.createClient({ Client }, connection) as Client;
  return {
    client,
    close: () => {
      ending = true;
      connection.end();
      return closed;
    },
  };
}

/** The running pieces of a test mesh. */
export interface LocalMeshFixture {
  readonly dir: string;
  readonly vip: string;
  readonly port: number;
  /** The v1 and v2 servers' ports. */
  readonly upstreams: readonly [number, number];
  readonly mesh: LocalMesh;
  readonly logs: string[];
  /** Writes `name` in the folder. */
  write(name: string, text: string): Promise<void>;
  /** Polls `ok` every 5 ms (at most `tries` times); fails naming `what`. */
  waitFor(what: string, ok: () => boolean | Promise<boolean>, tries?: number): Promise<void>;
  close(): Promise<void>;
}

/** A random loopback address in 127.0.0.0/8 other than 127.0.0.1. */
function loopbackAddress(): string {
  const byte = () => 2 + Math.floor(Math.random() * 250);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/** Starts v1 and v2 servers, writes the folder (router at `v1`/`v2` weights) and runs the mesh. */
export async function startLocalMesh(
  weights: readonly [number, number],
  options: LocalMeshOptions = {},
): Promise<LocalMeshFixture> {
  const servers = await Promise.all(
    ["v1", "v2"].map((v) =>
      startServer(STACK, { sayHello: (_req, result) => result(null, v), ping: () => {} })
    ),
  );
  const dir = await Deno.makeTempDir({ prefix: "aeraki-local-" });
  const vip = loopbackAddress();
  const port = freePort(vip);
  const write = async (name: string, text: string) => {
    // Write and rename, as editors do, so the watcher never reads half a file.
    await Deno.writeTextFile(`${dir}/.${name}.tmp`, text);
    await Deno.rename(`${dir}/.${name}.tmp`, `${dir}/${name}`);
  };
  await write("service.yaml", serviceYaml(vip, port, servers[0].port, servers[1].port));
  await write("router.yaml", routerYaml(...weights));
  const logs: string[] = [];
  const scope = await Effect.runPromise(Scope.make());
  const mesh = await Effect.runPromise(
    Scope.provide(scope)(localMesh(dir, { log: (l) => logs.push(l), ...options })),
  );
  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, tries = 2000) => {
    for (let i = 0; i < tries; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`Timed out waiting for ${what}; log:\n${logs.join("\n")}`);
  };
  const fixture = {
    dir,
    vip,
    port,
    upstreams: [servers[0].port, servers[1].port] as const,
    mesh,
    logs,
    write,
    waitFor,
    close: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void));
      await Promise.all(servers.map((s) => s.close()));
      await Deno.remove(dir, { recursive: true });
    },
  };
  // Warming: the listeners opened only after the routes and endpoints arrived.
  if (!ready(mesh)) {
    await fixture.close();
    throw new Error(
      `The proxy listens before it has its routes and endpoints:\n${logs.join("\n")}`,
    );
  }
  return fixture;
}

function ready(mesh: LocalMesh): boolean {
  const proxy = mesh.proxy.proxy;
  if (!proxy || proxy.routeTables().size === 0) return false;
  const endpoints = [...proxy.clusterStatus()].filter(([name]) => name.startsWith("outbound|"));
  return endpoints.length > 0 && endpoints.every(([, eps]) => eps.length > 0);
}

/** One call. */
export function sayHello(c: CountedClient): Promise<string> {
  return c.client.sayHello(new Req({ name: "local" }));
}
