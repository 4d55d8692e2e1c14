/**
 * The targets the benchmark loads: the echo upstreams themselves ("direct"), HAProxy in TCP
 * mode, and our proxy (multiplexed or with the exclusive pool) started from a generated
 * Envoy bootstrap through a pluggable command line.
 *
 * @module
 */
import { haproxyConfig, oursBootstrap, type ProxyPorts } from "./_configs.ts";
import { type Child, freePort, spawn, waitListening, waitPorts } from "./_spawn.ts";

/** Where the benchmark runs things. */
export interface Context {
  /** The project checkout whose proxy is measured (its `operator/cli/main.ts`). */
  readonly repo: string;
  /** A temporary folder for configs, frames and logs. */
  readonly dir: string;
  /** Builds the command line of a peer role (`serve` or `load`) with its flags. */
  peerCommand(mode: "serve" | "load", args: readonly string[]): string[];
  readonly peerEnv: Record<string, string>;
  /** Our proxy's command line (`{config}` = the bootstrap's path); empty = find it in `repo`. */
  readonly oursCommand: readonly string[];
  readonly istioStats: boolean;
  /** Pin the proxy under test to CPU 1 and every peer to CPU 0 (`taskset`). */
  readonly pin: boolean;
  /** HAProxy's `nbthread` and our proxy's `--concurrency`. */
  readonly concurrency: number;
  /** The Thrift upstream: the echo peer, or the npm `thrift` library's server. */
  readonly upstream: "peer" | "thrift-npm";
}

/** The upstream echo servers, one per protocol. */
export interface Upstreams {
  readonly thrift: number;
  readonly dubbo: number;
  readonly children: readonly Child[];
}

/** Starts the Thrift and Dubbo echo servers. */
export async function startUpstreams(ctx: Context, dubboReply: string): Promise<Upstreams> {
  const npm = [
    Deno.execPath(),
    "run",
    "--allow-all",
    new URL("./thrift_npm_server.ts", import.meta.url).pathname,
  ];
  const command = ctx.upstream === "thrift-npm"
    ? (ctx.pin ? ["taskset", "-c", "0", ...npm] : npm)
    : ctx.peerCommand("serve", ["--proto=thrift"]);
  const thrift = spawn("thrift upstream", command, {
    log: `${ctx.dir}/upstream-thrift.log`,
    env: ctx.peerEnv,
  });
  const dubbo = spawn(
    "dubbo upstream",
    ctx.peerCommand("serve", ["--proto=dubbo", `--reply=${dubboReply}`]),
    {
      log: `${ctx.dir}/upstream-dubbo.log`,
      env: ctx.peerEnv,
    },
  );
  return {
    thrift: await waitListening(thrift),
    dubbo: await waitListening(dubbo),
    children: [thrift, dubbo],
  };
}

/** A target ready to be loaded. */
export interface Running {
  readonly thrift: number;
  readonly dubbo: number;
  /** The process under test, if any (none for "direct"). */
  readonly child?: Child;
  /** Its admin port (Envoy's `/stats`), when it has one. */
  readonly adminPort?: number;
  stop(): Promise<void>;
}

/** A benchmark target. */
export interface Target {
  readonly name: string;
  /** Starts it, or says why it cannot run here. */
  start(ctx: Context, up: Upstreams): Promise<Running | string>;
}

function proxyPorts(up: Upstreams): ProxyPorts {
  return {
    thrift: freePort(),
    dubbo: freePort(),
    thriftUpstream: up.thrift,
    dubboUpstream: up.dubbo,
  };
}

async function startProxy(
  name: string,
  cmd: string[],
  ports: ProxyPorts,
  ctx: Context,
  adminPort?: number,
): Promise<Running> {
  const pinned = ctx.pin ? ["taskset", "-c", "1", ...cmd] : cmd;
  const child = spawn(name, pinned, { log: `${ctx.dir}/${name}.log`, cwd: ctx.repo });
  try {
    await waitPorts(child, [ports.thrift, ports.dubbo]);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { thrift: ports.thrift, dubbo: ports.dubbo, child, adminPort, stop: () => child.stop() };
}

const direct: Target = {
  name: "direct",
  start: (_ctx, up) =>
    Promise.resolve({ thrift: up.thrift, dubbo: up.dubbo, stop: () => Promise.resolve() }),
};

const haproxy: Target = {
  name: "haproxy",
  async start(ctx, up) {
    const bin = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].find((p) => exists(p));
    if (!bin) return "haproxy is not installed (run _tools/install_haproxy.sh)";
    const ports = proxyPorts(up);
    const config = `${ctx.dir}/haproxy.cfg`;
    Deno.writeTextFileSync(config, haproxyConfig(ports, { nbthread: ctx.concurrency }));
    return await startProxy("haproxy", [bin, "-f", config, "-db"], ports, ctx);
  },
};

/**
 * Our proxy's command line for `ctx.repo`: `--ours` if given; else its `aeraki proxy -c`
 * command; else, while the checkout has only the programmatic entry points, `ours_runner.ts`;
 * else a reason why it cannot run.
 */
export function oursCommand(ctx: Context): string[] | string {
  if (ctx.oursCommand.length > 0) return [...ctx.oursCommand];
  const deno = Deno.execPath();
  const cli = `${ctx.repo}/operator/cli/main.ts`;
  if (exists(cli) && /^\s+proxy:/m.test(Deno.readTextFileSync(cli))) {
    const more = ctx.concurrency > 1 ? ["--concurrency", String(ctx.concurrency)] : [];
    return [deno, "run", "--allow-all", cli, "proxy", "-c", "{config}", ...more];
  }
  if (ctx.concurrency > 1) {
    return `concurrency ${ctx.concurrency} needs "${ctx.repo}" to have 'aeraki proxy -c'`;
  }
  if (exists(`${ctx.repo}/proxy/bootstrap/mod.ts`) && exists(`${ctx.repo}/proxy/mod.ts`)) {
    const runner = new URL("./ours_runner.ts", import.meta.url).pathname;
    return [deno, "run", "--allow-all", runner, ctx.repo, "{config}"];
  }
  return `TODO: "${ctx.repo}" has neither 'aeraki proxy -c' nor proxy/bootstrap + startProxy; ` +
    "pass --repo=DIR (a checkout that has them) or --ours='CMD {config}'";
}

function ours(name: string, multiplexing: boolean): Target {
  return {
    name,
    async start(ctx, up) {
      const command = oursCommand(ctx);
      if (typeof command === "string") return command;
      const ports = proxyPorts(up);
      const config = `${ctx.dir}/${name}.bootstrap.json`;
      const adminPort = freePort();
      const bootstrap = oursBootstrap(ports, {
        multiplexing,
        istioStats: ctx.istioStats,
        adminPort,
      });
      Deno.writeTextFileSync(config, JSON.stringify(bootstrap, null, 2));
      const cmd = command.map((a) => a.replaceAll("{config}", config));
      console.error(`  ${name}: ${cmd.join(" ")}`);
      return await startProxy(name, cmd, ports, ctx, adminPort);
    },
  };
}

const COUNTER = /^(meta_protocol\.\S+\.(?:request|response_success|response_error)):? (\d+)$/gm;

/**
 * The request/response counters the proxy kept itself, from its admin `/stats` (call before
 * stopping it) or from `stat NAME VALUE` lines in its log (after): proof it routed the calls.
 */
export async function proxyCounters(
  running: Running,
  when: "before-stop" | "after-stop",
): Promise<string[]> {
  let text = "";
  if (when === "before-stop" && running.adminPort) {
    try {
      const res = await fetch(`http://127.0.0.1:${running.adminPort}/stats`, {
        signal: AbortSignal.timeout(2000),
      });
      text = await res.text();
    } catch {
      return [];
    }
  } else if (when === "after-stop" && running.child) {
    try {
      text = Deno.readTextFileSync(running.child.log).replaceAll(/^stat /gm, "");
    } catch {
      return [];
    }
  }
  return [...text.matchAll(COUNTER)].map((m) => `${m[1]}=${m[2]}`);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every target by name, in report order. */
export const TARGETS: readonly Target[] = [
  direct,
  haproxy,
  ours("ours-mux", true),
  ours("ours-exclusive", false),
];
