/**
 * `deno task demo`: a mesh on this machine. Starts the Thrift hello service in two versions
 * (npm `thrift` servers on 127.0.0.1:19091 and :19092) and a Dubbo DemoService in two versions
 * (hessian.js providers on :19093 and :19094), `aeraki local examples/local/mesh` (the xDS
 * server and our proxy, listening on 127.0.0.10:9090 and 127.0.0.11:20880 as the
 * ServiceEntries say), and a client of each calling through the proxy. Edit
 * `examples/local/mesh/router.yaml` or `dubbo.yaml` while it runs: the live view shows the
 * split move.
 *
 * @module
 */
import thrift from "thrift";
import { Req } from "../../codecs/thrift/_test_service.ts";
import { Client, Processor } from "../../codecs/thrift/_test_service_rpc.ts";
import { processIo } from "../../operator/cli/command.ts";
import { runLocal } from "../../operator/cli/local.ts";
import { connectDubboHello, startDubboHello } from "../../tests/_dubbo_hello_peer.ts";

const MESH = new URL("./mesh", import.meta.url).pathname;
const VERSIONS = [["v1", 19091], ["v2", 19092]] as const;
const SERVICE = { host: "127.0.0.10", port: 9090 };
const DUBBO = { host: "127.0.0.11", port: 20880 };

interface NodeServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
}

function startServer(version: string, port: number): Promise<NodeServer> {
  const handler = {
    sayHello: (req: Req | null, result: (e: Error | null, v?: string) => void) =>
      result(null, `hello ${req?.name ?? "you"} from ${version}`),
    ping: () => {},
  };
  const server = thrift.createServer({ Processor }, handler, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
  }) as NodeServer;
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Connection = { end(): void; on(e: string, cb: (x?: unknown) => void): void };

/** Connects to the service through the proxy; undefined while nothing listens there. */
async function connect(): Promise<{ client: Client; connection: Connection } | undefined> {
  const connection = thrift.createConnection(SERVICE.host, SERVICE.port, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
    max_attempts: 0,
  }) as Connection;
  const ok = await new Promise<boolean>((resolve) => {
    connection.on("connect", () => resolve(true));
    connection.on("error", () => resolve(false));
  });
  if (!ok) {
    connection.end();
    return undefined;
  }
  return { client: thrift.createClient({ Client }, connection) as Client, connection };
}

/** Calls the Dubbo service about 20 times a second until `stop()`; reconnects after errors. */
function startDubboClient(): { stop(): void } {
  let running = true;
  const loop = async () => {
    while (running) {
      const c = await connectDubboHello(DUBBO.host, DUBBO.port).catch(() => undefined);
      if (!c) {
        await sleep(300);
        continue;
      }
      try {
        while (running) {
          await c.sayHello("demo");
          await sleep(50);
        }
      } catch {
        // The proxy restarted or the config routes nowhere: connect again.
      }
      c.close();
    }
  };
  void loop();
  return { stop: () => running = false };
}

/** Calls sayHello about 50 times a second until `stop()`; reconnects after errors. */
function startClient(): { stop(): void } {
  let running = true;
  const loop = async () => {
    while (running) {
      const c = await connect();
      if (!c) {
        await sleep(300);
        continue;
      }
      try {
        while (running) {
          await c.client.sayHello(new Req({ name: "demo" }));
          await sleep(20);
        }
      } catch {
        // The proxy restarted or the config routes nowhere: connect again.
      }
      c.connection.end();
    }
  };
  void loop();
  return { stop: () => running = false };
}

if (import.meta.main) {
  const servers = await Promise.all(VERSIONS.map(([v, port]) => startServer(v, port)));
  const dubbo = [startDubboHello("v1", 19093), startDubboHello("v2", 19094)];
  const clients = [startClient(), startDubboClient()];
  const io = processIo();
  io.err(
    `Thrift hello v1 on 127.0.0.1:19091, v2 on :19092; a client → ${SERVICE.host}:${SERVICE.port}\n` +
      `Dubbo DemoService v1 on 127.0.0.1:19093, v2 on :19094; a client → ${DUBBO.host}:${DUBBO.port}\n` +
      `Edit ${MESH}/router.yaml or dubbo.yaml to shift traffic; Ctrl-C stops.\n`,
  );
  const code = await runLocal(
    { dir: MESH, xdsPort: 0, debounceMs: 20, quiet: Deno.args.includes("--quiet") },
    { io, signals: ["SIGINT", "SIGTERM"] },
  );
  for (const c of clients) c.stop();
  for (const d of dubbo) d.close();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  Deno.exit(code);
}
