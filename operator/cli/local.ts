/**
 * `deno task aeraki local DIR` (also `deno task local DIR`): a mesh on this machine from the
 * YAML files and TypeScript charts in DIR — the xDS server and our proxy in one process —
 * reloaded on every edit, with a live view of requests per route and subset.
 *
 * @module
 */
import { Effect, Exit, Fiber } from "effect";
import { LiveCounters, type LocalMesh, localMesh, TerminalView } from "../local/mod.ts";
import type { Command, CommandIo } from "./command.ts";

const USAGE = `Usage: deno task aeraki local DIR [--xds-port PORT] [--debounce MS] [--quiet]
(also: deno task local DIR …)

Runs a mesh on this machine from the YAML files (*.yaml, *.yml) and TypeScript charts (*.ts
whose default export builds a cdk8s chart) under DIR: the same generator as the operator,
the xDS server on 127.0.0.1, and the MetaProtocol proxy as its xDS client, in one process.

Each ServiceEntry with an address (e.g. 127.0.0.10) and static endpoints gets a proxy
listener on that address and port; DestinationRule subsets select endpoints by labels;
MetaRouters route. Edits apply as soon as they are saved, without closing connections. An
invalid edit keeps the last good config and prints each problem as
  file:doc#: Kind/namespace/name: field.path: message
(the words of "aeraki validate").

Options:
  --xds-port PORT  serve xDS on this port (default: a free one), e.g. for other clients
  --debounce MS    quiet time after the last file event before reloading (default 20)
  --quiet          no live view (it is also off when standard output is not a terminal)

Stops on SIGINT or SIGTERM: the watcher closes, the proxy drains, the server stops.`;

/** The `local` subcommand. */
export const localCommand: Command = {
  name: "local",
  summary: "Run a mesh on this machine from a folder of YAML files and charts, live",
  usage: USAGE,
  run,
};

/** The parsed arguments of `aeraki local`. */
export interface LocalArgs {
  readonly dir: string;
  readonly xdsPort: number;
  readonly debounceMs: number;
  readonly quiet: boolean;
}

function parseArgs(args: readonly string[]): LocalArgs | string {
  let dir: string | undefined, xdsPort = 0, debounceMs = 20, quiet = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--quiet") quiet = true;
    else if (a === "--xds-port" || a === "--debounce") {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0 || (a === "--xds-port" && n > 65535)) {
        return `Cannot use ${a} "${args[i] ?? ""}": give a whole number${
          a === "--xds-port" ? " from 0 to 65535" : " of milliseconds"
        }`;
      }
      if (a === "--xds-port") xdsPort = n;
      else debounceMs = n;
    } else if (a.startsWith("-")) return `Cannot run local: unknown option "${a}"`;
    else if (dir === undefined) dir = a;
    else return `Cannot run local: give one folder, not "${dir}" and "${a}"`;
  }
  if (dir === undefined) return "Cannot run local: give the folder to run";
  return { dir, xdsPort, debounceMs, quiet };
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(USAGE + "\n");
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.err(`${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  return await runLocal(parsed, { io, signals: ["SIGINT", "SIGTERM"] });
}

/** Where {@link runLocal} writes and what stops it. */
export interface RunLocalOptions {
  readonly io: CommandIo;
  /** Signals that stop the mesh (the scope closes: watcher, proxy, server). */
  readonly signals: readonly Deno.Signal[];
}

/** Runs until one of the signals; resolves to the exit code. */
export async function runLocal(a: LocalArgs, options: RunLocalOptions): Promise<number> {
  const { io, signals } = options;
  const counters = new LiveCounters();
  let mesh: LocalMesh | undefined;
  const status = () => {
    const last = mesh?.last();
    const state = !last
      ? "starting"
      : last.ok
      ? "config ok"
      : "invalid edit: last good config kept";
    return `aeraki local ${a.dir} · xDS 127.0.0.1:${mesh?.xdsPort ?? "-"} · ${state} · version ${
      last?.version || "-"
    }`;
  };
  const live = !a.quiet && Deno.stdout.isTerminal();
  const view = live ? new TerminalView(counters, { write: io.out, status }) : undefined;
  const plain = (line: string) => io.err(line + "\n");
  const log = view ? view.logAbove(plain) : plain;
  let code = 0;
  const program = Effect.scoped(Effect.gen(function* () {
    mesh = yield* localMesh(a.dir, { xdsPort: a.xdsPort, debounceMs: a.debounceMs, log, counters });
    log(`xDS server on 127.0.0.1:${mesh.xdsPort}; watching ${a.dir} (Ctrl-C stops)`);
    if (view) yield* view.run();
    return yield* Effect.never;
  })).pipe(Effect.catch((e) =>
    Effect.sync(() => {
      io.err(`${e.message}\n`);
      code = 1;
    })
  ));
  const fiber = Effect.runFork(program);
  const stop = () => void Effect.runFork(Fiber.interrupt(fiber));
  for (const s of signals) Deno.addSignalListener(s, stop);
  const exit = await Effect.runPromise(Effect.exit(Fiber.join(fiber)));
  for (const s of signals) Deno.removeSignalListener(s, stop);
  if (Exit.isFailure(exit) && code === 0) log("Stopped");
  return code;
}
