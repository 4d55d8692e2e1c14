/**
 * `aeraki proxy` serve mode: runs a compiled bootstrap until SIGTERM, SIGINT or
 * `POST /quitquitquit`, then drains (stop accepting, finish in-flight requests) and exits.
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
}

/** Serves until drained; resolves to the exit code. */
export async function serveProxy(c: CompiledBootstrap, options: ServeOptions): Promise<number> {
  const { io } = options;
  if (options.concurrency > 1) {
    io.err(
      `Cannot use concurrency ${options.concurrency}: the proxy runs one socket per listener; use 1\n`,
    );
    return 2;
  }
  let running;
  try {
    running = await runBootstrap(c, { log: (l) => io.err(l + "\n") });
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  }
  const drain = () => void running.drain();
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  for (const s of signals) Deno.addSignalListener(s, drain);
  for (const [name, port] of running.proxy.ports) io.out(`listener "${name}" on port ${port}\n`);
  if (running.admin) io.out(`admin on port ${running.admin.port}\n`);
  await running.done;
  for (const s of signals) Deno.removeSignalListener(s, drain);
  io.out("drained\n");
  return 0;
}
