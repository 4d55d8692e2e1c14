/**
 * `deno task bench:proxy`: loads Thrift framed-binary calls of 128 bytes (and typical Dubbo
 * calls) in a closed loop through each target — the echo upstream directly, HAProxy in TCP
 * mode with `nbthread 1`, our proxy multiplexed and with the exclusive pool — and prints
 * throughput, latency percentiles, CPU per call of the process under test, its memory after
 * the run, and ratios against HAProxy. See bench/proxy/README.md for the method.
 *
 * Flags (each also an environment variable, flag wins):
 *   --duration=10s (BENCH_DURATION)   measured window per run
 *   --warmup=1s (BENCH_WARMUP)        unmeasured load before it
 *   --targets=direct,haproxy,ours-mux,ours-exclusive (BENCH_TARGETS)
 *   --conns=32,128 (BENCH_CONNS)      Thrift runs at depth 1
 *   --depth=8 (BENCH_DEPTH)           one pipelined Thrift run at the first conns; 0 = none
 *   --dubbo=128 (BENCH_DUBBO)         connections of the Dubbo run; 0 = none
 *   --dubbo-depth=1 (BENCH_DUBBO_DEPTH)  Dubbo calls in flight per connection
 *   --peer=go|go-goroutines|deno (BENCH_PEER)  load generator and upstream implementation
 *   --upstream=peer|thrift-npm (BENCH_UPSTREAM)  Thrift upstream: echo peer or npm thrift server
 *   --concurrency=N (BENCH_CONCURRENCY)  HAProxy nbthread N, ours --concurrency N (default 1)
 *   --pin=true|false (BENCH_PIN)      proxy on CPU 1, load generator and upstreams on CPU 0
 *   --repo=DIR (BENCH_REPO)           checkout whose `aeraki proxy -c` is measured (default .)
 *   --ours='CMD ... {config}' (BENCH_OURS)  our proxy's command line instead
 *   --istio-stats=true|false (BENCH_ISTIO_STATS)  istio_stats filter before the router
 *   --json=FILE (BENCH_JSON)          also write every row as JSON
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dubboCall, dubboReply, thriftCall } from "./frames.ts";
import { clockTicks, processTree, rssKiB } from "./_proc.ts";
import { acceptance, formatAcceptance } from "./_acceptance.ts";
import { formatTable, type LoadResult, type Row } from "./_report.ts";
import { type Context, proxyCounters, type Running, startUpstreams, TARGETS } from "./_targets.ts";

interface Scenario {
  readonly name: string;
  readonly proto: "thrift" | "dubbo";
  readonly conns: number;
  readonly depth: number;
}

function options() {
  const env = (k: string, d: string) => Deno.env.get(k) ?? d;
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string", default: env("BENCH_DURATION", "10s") },
      warmup: { type: "string", default: env("BENCH_WARMUP", "1s") },
      targets: {
        type: "string",
        default: env("BENCH_TARGETS", TARGETS.map((t) => t.name).join(",")),
      },
      conns: { type: "string", default: env("BENCH_CONNS", "32,128") },
      depth: { type: "string", default: env("BENCH_DEPTH", "8") },
      dubbo: { type: "string", default: env("BENCH_DUBBO", "128") },
      "dubbo-depth": { type: "string", default: env("BENCH_DUBBO_DEPTH", "1") },
      peer: { type: "string", default: env("BENCH_PEER", "go") },
      upstream: { type: "string", default: env("BENCH_UPSTREAM", "peer") },
      pin: { type: "string", default: env("BENCH_PIN", "false") },
      repo: { type: "string", default: env("BENCH_REPO", Deno.cwd()) },
      ours: { type: "string", default: env("BENCH_OURS", "") },
      "istio-stats": { type: "string", default: env("BENCH_ISTIO_STATS", "true") },
      json: { type: "string", default: env("BENCH_JSON", "") },
      concurrency: { type: "string", default: env("BENCH_CONCURRENCY", "1") },
    },
  });
  return values;
}

function scenarios(o: ReturnType<typeof options>): Scenario[] {
  const conns = o.conns.split(",").filter(Boolean).map(Number);
  const out: Scenario[] = conns.map((c) => ({
    name: `thrift c${c}`,
    proto: "thrift",
    conns: c,
    depth: 1,
  }));
  const depth = Number(o.depth);
  if (depth > 1 && conns.length > 0) {
    out.push({
      name: `thrift c${conns[0]} depth ${depth}`,
      proto: "thrift",
      conns: conns[0],
      depth,
    });
  }
  const dubbo = Number(o.dubbo);
  const dubboDepth = Math.max(1, Number(o["dubbo-depth"]) || 1);
  if (dubbo > 0) {
    const name = `dubbo c${dubbo}${dubboDepth > 1 ? ` depth ${dubboDepth}` : ""}`;
    out.push({ name, proto: "dubbo", conns: dubbo, depth: dubboDepth });
  }
  return out;
}

function peerCommands(o: ReturnType<typeof options>, here: string) {
  if (o.peer === "deno") {
    return (mode: string, args: readonly string[]) => [
      Deno.execPath(),
      "run",
      "--allow-all",
      `${here}/deno_peer.ts`,
      mode,
      ...args,
    ];
  }
  if (o.peer !== "go" && o.peer !== "go-goroutines") {
    throw new Error(`Cannot use peer "${o.peer}": use go, go-goroutines or deno`);
  }
  const io = o.peer === "go" ? "--io=epoll" : "--io=goroutines";
  const build = new Deno.Command("bash", {
    args: [`${here}/../../_tools/build_bench_peer.sh`],
    stderr: "inherit",
  })
    .outputSync();
  if (!build.success) throw new Error("Cannot build the Go benchmark peer: see the message above");
  const bin = new TextDecoder().decode(build.stdout).trim();
  return (mode: string, args: readonly string[]) => [bin, mode, io, ...args];
}

type PeerCommand = Context["peerCommand"];

function pinned(command: PeerCommand, pin: boolean): PeerCommand {
  return pin ? (mode, args) => ["taskset", "-c", "0", ...command(mode, args)] : command;
}

async function load(
  ctx: Context,
  s: Scenario,
  port: number,
  watch: string,
  o: ReturnType<typeof options>,
) {
  const args = [
    `--addr=127.0.0.1:${port}`,
    `--proto=${s.proto}`,
    `--request=${ctx.dir}/${s.proto}.request`,
    `--c=${s.conns}`,
    `--depth=${s.depth}`,
    `--d=${o.duration}`,
    `--warmup=${o.warmup}`,
    `--watch=${watch}`,
    `--hz=${clockTicks()}`,
  ];
  const [cmd, ...rest] = ctx.peerCommand("load", args);
  const out = await new Deno.Command(cmd, { args: rest, env: ctx.peerEnv, stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !text) {
    throw new Error(
      `Cannot run the load: ${new TextDecoder().decode(out.stderr).trim() || "no output"}`,
    );
  }
  return JSON.parse(text) as LoadResult;
}

async function runTarget(
  ctx: Context,
  target: (typeof TARGETS)[number],
  up: Awaited<ReturnType<typeof startUpstreams>>,
  o: ReturnType<typeof options>,
): Promise<{ rows: Row[]; rss?: number; counters?: string[] }> {
  const list = scenarios(o);
  let running: Running | string;
  try {
    running = await target.start(ctx, up);
  } catch (e) {
    running = e instanceof Error ? e.message.split("\n").join(" | ") : String(e);
  }
  if (typeof running === "string") {
    return {
      rows: list.map((s) => ({
        target: target.name,
        scenario: s.name,
        missing: running as string,
      })),
    };
  }
  const rows: Row[] = [];
  const proxyPids = running.child ? processTree(running.child.pid).join("+") : "";
  for (const s of list) {
    const upstream = `upstream:${s.proto === "thrift" ? up.children[0].pid : up.children[1].pid}`;
    const watch = proxyPids ? `proxy:${proxyPids},${upstream}` : upstream;
    try {
      const result = await load(
        ctx,
        s,
        s.proto === "thrift" ? running.thrift : running.dubbo,
        watch,
        o,
      );
      rows.push({ target: target.name, scenario: s.name, result });
      console.error(
        `  ${target.name} ${s.name}: ${Math.round(result.rps)} calls/s, p99 ${result.p99_us} µs`,
      );
    } catch (e) {
      rows.push({
        target: target.name,
        scenario: s.name,
        missing: e instanceof Error ? e.message : String(e),
      });
    }
  }
  const rss = running.child
    ? processTree(running.child.pid).reduce((sum, pid) => sum + (rssKiB(pid) ?? 0), 0)
    : undefined;
  const counters = await proxyCounters(running, "before-stop");
  await running.stop();
  counters.push(...await proxyCounters(running, "after-stop"));
  return { rows, rss, counters };
}

function context(o: ReturnType<typeof options>, here: string): Context {
  if (o.upstream !== "peer" && o.upstream !== "thrift-npm") {
    throw new Error(`Cannot use upstream "${o.upstream}": use peer or thrift-npm`);
  }
  return {
    repo: o.repo,
    dir: Deno.makeTempDirSync({ prefix: "aeraki-bench-proxy-" }),
    peerCommand: pinned(peerCommands(o, here), o.pin === "true"),
    peerEnv: { GOMAXPROCS: Deno.env.get("GOMAXPROCS") ?? "1" },
    oursCommand: o.ours.split(/\s+/).filter(Boolean),
    istioStats: o["istio-stats"] !== "false",
    upstream: o.upstream,
    pin: o.pin === "true",
    concurrency: Math.max(1, Number(o.concurrency) || 1),
  };
}

async function main() {
  const o = options();
  const here = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
  const ctx = context(o, here);
  const dir = ctx.dir;
  Deno.writeFileSync(`${dir}/thrift.request`, thriftCall());
  Deno.writeFileSync(`${dir}/dubbo.request`, dubboCall());
  Deno.writeFileSync(`${dir}/dubbo.reply`, dubboReply());
  const loadavg = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  console.error(
    `bench:proxy: peer ${o.peer}, Thrift upstream ${o.upstream}, ${o.duration} per run after ${o.warmup} warmup, ` +
      `load average ${loadavg}, logs in ${dir}`,
  );
  const up = await startUpstreams(ctx, `${dir}/dubbo.reply`);
  const rows: Row[] = [];
  const rss: string[] = [];
  const counted: string[] = [];
  try {
    const wanted = o.targets.split(",").filter(Boolean);
    for (const name of wanted) {
      const target = TARGETS.find((t) => t.name === name);
      if (!target) {
        throw new Error(
          `Cannot run target "${name}": use ${TARGETS.map((t) => t.name).join(", ")}`,
        );
      }
      const result = await runTarget(ctx, target, up, o);
      rows.push(...result.rows);
      if (result.rss !== undefined) rss.push(`${name} ${(result.rss / 1024).toFixed(1)} MiB`);
      if (result.counters?.length) {
        counted.push(`  ${name}:\n    ${result.counters.join("\n    ")}`);
      }
    }
  } finally {
    for (const child of up.children) await child.stop();
  }
  console.log(formatTable(rows));
  if (rss.length) {
    console.log(`\nRSS after the run (VmRSS of the process under test): ${rss.join(", ")}`);
  }
  console.log(
    `load average at start ${loadavg}; at end ${
      Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")
    } on ${navigator.hardwareConcurrency} cores`,
  );
  if (counted.length) {
    console.log(`\nCounted by our proxy itself (warmups included):\n${counted.join("\n")}`);
  }
  const targets = formatAcceptance(acceptance(rows));
  if (targets) console.log(`\n${targets}`);
  if (o.json) Deno.writeTextFileSync(o.json, JSON.stringify(rows, null, 2));
}

if (import.meta.main) await main();
