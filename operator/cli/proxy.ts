/**
 * `deno task aeraki proxy -c FILE [--mode serve|validate] [--concurrency N]`: runs the
 * MetaProtocol proxy from an Envoy v3 bootstrap, like `envoy -c FILE`. `--mode validate`
 * loads and compiles the bootstrap, prints its problems, ignored fields and warnings, and
 * exits, like `envoy --mode validate`.
 *
 * @module
 */
import { type BootstrapResult, formatNote, loadBootstrap } from "../../proxy/bootstrap/mod.ts";
import type { Command, CommandIo } from "./command.ts";

const USAGE = `Usage: deno task aeraki proxy -c FILE [--mode serve|validate] [--concurrency N]

Runs the MetaProtocol proxy from an Envoy v3 bootstrap (YAML or JSON), as "envoy -c FILE"
does: listeners with the MetaProtocol proxy filter, clusters, admin, RDS.

  -c, --config-path FILE   the bootstrap
  --mode serve|validate    serve (default), or check the bootstrap and exit
  --concurrency N          N processes share every listener port (SO_REUSEPORT; default 1;
                           needs fixed listener ports and deno --unstable-net)

Fields the proxy does not implement are refused with their path; fields that have no effect
here are listed as ignored. SIGTERM or POST /quitquitquit on the admin address drains: stop
accepting, finish in-flight requests, exit.

Exit status: 0 when the configuration is valid (validate) or after a drain (serve), 1 when
it is not valid or the proxy fails, 2 on bad arguments.`;

/** Parsed arguments of `aeraki proxy`. */
export interface ProxyArgs {
  readonly config: string;
  readonly mode: "serve" | "validate";
  readonly concurrency: number;
  /** Internal: run as a worker process of a `--concurrency` parent. */
  readonly worker: boolean;
}

/** Parses `aeraki proxy` arguments; a string is the error. */
export function parseProxyArgs(args: readonly string[]): ProxyArgs | string {
  let config: string | undefined;
  let mode: string = "serve";
  let concurrency = 1;
  let worker = false;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") && args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i], undefined];
    const value = () => inline ?? args[++i];
    if (flag === "-c" || flag === "--config-path") config = value();
    else if (flag === "--mode") mode = value() ?? "";
    else if (flag === "--concurrency") concurrency = Number(value());
    else if (flag === "--worker") worker = true;
    else return `Cannot run the proxy: unknown argument "${args[i]}"`;
  }
  if (!config) return "Cannot run the proxy: give the bootstrap with -c FILE";
  if (mode !== "serve" && mode !== "validate") {
    return `Cannot run the proxy in mode "${mode}": use serve or validate`;
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    return `Cannot use concurrency "${concurrency}": give a whole number from 1`;
  }
  return { config, mode, concurrency, worker };
}

/** Prints a load report: problems to stderr, ignored fields and warnings to stdout. */
export function printReport(r: BootstrapResult, io: CommandIo): void {
  for (const p of r.problems) io.err(`${formatNote(p)}\n`);
  if (r.ignored.length > 0) {
    io.out(`Ignored (no effect on this proxy):\n`);
    for (const n of r.ignored) io.out(`  ${formatNote(n)}\n`);
  }
  for (const w of r.warnings) io.out(`warning: ${formatNote(w)}\n`);
}

/** The `proxy` subcommand. */
export const proxyCommand: Command = {
  name: "proxy",
  summary: "Run the MetaProtocol proxy from an Envoy bootstrap (envoy -c)",
  usage: USAGE,
  run,
};

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(USAGE + "\n");
    return 0;
  }
  const parsed = parseProxyArgs(args);
  if (typeof parsed === "string") {
    io.err(`${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  const r = await loadBootstrap(parsed.config);
  printReport(r, io);
  if (!r.ok) {
    io.err(`configuration '${parsed.config}' is not valid: ${r.problems.length} problem(s)\n`);
    return 1;
  }
  if (parsed.mode === "validate") {
    io.out(`configuration '${parsed.config}' OK\n`);
    return 0;
  }
  const { serveProxy } = await import("./proxy_serve.ts");
  return await serveProxy(r.config, {
    concurrency: parsed.concurrency,
    io,
    configPath: parsed.config,
    worker: parsed.worker,
  });
}
