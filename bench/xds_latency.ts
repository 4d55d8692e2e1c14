/**
 * xDS numbers as percentiles: `deno run -A bench/xds_latency.ts [services] [changes]` times
 * MetaRouter change → pushed RouteConfiguration at a connected client (p50/p99), and
 * `deno run -A bench/xds_latency.ts memory [services] [clients]` starts the server in a child
 * process with the mesh, connects the clients (each its own channel, subscribed by SotW to 10
 * routes), and prints the server's memory before and after.
 *
 * @module
 */
import { ROUTE_CONFIGURATION_TYPE_URL } from "../proto/mod.ts";
import { XdsTestClient } from "../tests/xds_client.ts";
import { routeName, ServedMesh } from "./_xds_mesh.ts";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function latency(services: number, changes: number): Promise<void> {
  const t0 = performance.now();
  const served = new ServedMesh(services);
  const setup = performance.now() - t0;
  const port = await served.serve();
  const client = new XdsTestClient(`127.0.0.1:${port}`);
  const stream = client.routes();
  const names = [routeName(7)];
  let last = await stream.exchange({ node: { id: "bench" }, resource_names: names });
  const samples: number[] = [];
  for (let i = 0; i < changes; i++) {
    stream.send({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: names,
      version_info: last.version_info,
      response_nonce: last.nonce,
    });
    const start = performance.now();
    served.change(7);
    last = await stream.responses.next();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  console.log(
    `${services} services: first generation+encoding ${
      ms(setup)
    }; change -> client, ${changes} changes: ` +
      `p50 ${ms(percentile(samples, 0.5))}, p99 ${ms(percentile(samples, 0.99))}, max ${
        ms(samples.at(-1)!)
      }`,
  );
  stream.close();
  client.close();
  await served.server?.close();
}

/** Child: serve the mesh, print the port, answer "mem" lines with memory usage. */
async function serveChild(services: number): Promise<void> {
  const served = new ServedMesh(services);
  const port = await served.serve();
  console.log(JSON.stringify({ port }));
  const decoder = new TextDecoder();
  for await (const chunk of Deno.stdin.readable) {
    if (!decoder.decode(chunk).includes("mem")) continue;
    (globalThis as { gc?: () => void }).gc?.();
    const m = Deno.memoryUsage();
    console.log(
      JSON.stringify({
        rss: m.rss,
        heapUsed: m.heapUsed,
        streams: served.status.report().nodes.length,
      }),
    );
  }
}

async function memory(services: number, clients: number): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", import.meta.filename!, "serve", String(services)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = child.stdin.getWriter();
  let buffered = "";
  const nextLine = async (): Promise<Record<string, number>> => {
    while (!buffered.includes("\n")) buffered += (await lines.read()).value ?? "";
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return JSON.parse(line);
  };
  const { port } = await nextLine();
  await writer.write(new TextEncoder().encode("mem\n"));
  const before = await nextLine();
  const open: { client: XdsTestClient; close: () => void }[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    const client = new XdsTestClient(`127.0.0.1:${port}`);
    const stream = client.routes();
    const names = Array.from({ length: 10 }, (_, k) => routeName((c * 10 + k) % services));
    await stream.exchange({ node: { id: `proxy-${c}` }, resource_names: names });
    open.push({ client, close: () => stream.close() });
  }));
  const connectMs = performance.now() - t0;
  await writer.write(new TextEncoder().encode("mem\n"));
  const after = await nextLine();
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  console.log(
    `server with ${services} services: rss ${mib(before.rss)}, heap ${mib(before.heapUsed)}; ` +
      `with ${after.streams} connected clients (10 routes each, all served in ${
        connectMs.toFixed(0)
      } ms): ` +
      `rss ${mib(after.rss)}, heap ${mib(after.heapUsed)}`,
  );
  for (const o of open) {
    o.close();
    o.client.close();
  }
  child.kill();
  await child.status;
}

const [mode, a, b] = Deno.args;
if (mode === "serve") await serveChild(Number(a));
else if (mode === "memory") await memory(Number(a ?? 10_000), Number(b ?? 1_000));
else await latency(Number(mode ?? 1_000), Number(a ?? 200));
Deno.exit(0);
