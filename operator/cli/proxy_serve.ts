/**
 * `aeraki proxy` serve mode: runs a compiled bootstrap until SIGTERM, SIGINT or
 * `POST /quitquitquit`, then drains (stop accepting, finish in-flight requests) and exits.
 *
 * With `--concurrency N` (N > 1) this process and N - 1 worker processes (the same command
 * with `--worker`) each bind every listener with `SO_REUSEPORT`, and the kernel spreads new
 * connections over them; each process has its own event loop and upstream connections.
 * Only this process serves the admin address (its `/stats` count its own connections).
 * A drain here drains the workers too.
 *
 * @module
 */
import type { CompiledBootstrap } from "../../proxy/bootstrap/mod.ts";
import { runBootstrap } from "../../proxy/server/run.ts";
import type { CommandIo } from "./command.ts";

/** Options of {@linkcode serveProxy}. */
export interface ServeOptions {
  readonly concurrency: number;
  readonly io: CommandIo;
  /** Signals that drain. @default ["SIGTERM", "SIGINT"] */
  readonly signals?: readonly Deno.Signal[];
  /** The bootstrap's path, for the worker processes of `concurrency` > 1. */
  readonly configPath?: string;
  /** Run as a worker of a parent: listeners only (reusePort), no admin, quiet. */
  readonly worker?: boolean;
}

/** Serves until drained; resolves to the exit code. */
export async function serveProxy(c: CompiledBootstrap, options: ServeOptions): Promise<number> {
  const { io } = options;
  const shared = options.concurrency > 1 || options.worker === true;
  if (shared) {
    const problem = concurrencyProblem(c, options);
    if (problem) {
      io.err(`${problem}\n`);
      return 2;
    }
  }
  let running;
  try {
    running = await runBootstrap(c, {
      log: (l) => io.err(l + "\n"),
      reusePort: shared,
      admin: !options.worker,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  }
  const drain = () => void running.drain();
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  for (const s of signals) Deno.addSignalListener(s, drain);
  const workers = options.worker ? [] : startWorkers(options);
  const ready = await Promise.all(workers.map(workerReady));
  if (ready.some((r) => !r)) {
    io.err(`Cannot use concurrency ${options.concurrency}: a worker process did not start\n`);
    void running.drain();
  }
  if (options.worker) io.out("worker ready\n");
  else {
    for (const [name, port] of running.proxy.ports) io.out(`listener "${name}" on port ${port}\n`);
    if (running.admin) io.out(`admin on port ${running.admin.port}\n`);
    if (workers.length > 0) io.out(`${workers.length + 1} processes share the listeners\n`);
  }
  await running.done;
  for (const s of signals) Deno.removeSignalListener(s, drain);
  await stopWorkers(workers, io);
  if (!options.worker) io.out("drained\n");
  return 0;
}

function concurrencyProblem(c: CompiledBootstrap, options: ServeOptions): string | undefined {
  const n = options.concurrency;
  const any = c.model.listeners.find((l) => l.port === 0);
  if (any) {
    return `Cannot use concurrency ${n}: listener "${any.name}" has port 0; processes can ` +
      "share only a fixed port";
  }
  if (!options.worker && !options.configPath) {
    return `Cannot use concurrency ${n}: the worker processes need the bootstrap's path`;
  }
  return undefined;
}

function startWorkers(options: ServeOptions): Deno.ChildProcess[] {
  const workers: Deno.ChildProcess[] = [];
  for (let i = 1; i < options.concurrency; i++) {
    const args = ["run", "--allow-all", "--unstable-net", Deno.mainModule, "proxy"];
    args.push("-c", options.configPath!, "--worker");
    workers.push(
      new Deno.Command(Deno.execPath(), { args, stdin: "null", stdout: "piped", stderr: "inherit" })
        .spawn(),
    );
  }
  return workers;
}

/** Resolves true once the worker says it listens, false if it exits first. */
async function workerReady(w: Deno.ChildProcess): Promise<boolean> {
  const reader = w.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("worker ready\n")) {
    const { value, done } = await reader.read();
    if (done) return false;
    text += value;
  }
  // Keep draining its stdout so the worker never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })().catch(() => {});
  return true;
}

async function stopWorkers(workers: Deno.ChildProcess[], io: CommandIo): Promise<void> {
  await Promise.all(workers.map(async (w) => {
    try {
      w.kill("SIGTERM");
    } catch { /* already gone */ }
    const status = await w.status;
    if (!status.success && status.signal !== "SIGTERM") {
      io.err(`worker process ${w.pid} exited with code ${status.code}\n`);
    }
  }));
}
