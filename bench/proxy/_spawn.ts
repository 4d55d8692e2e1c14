/**
 * Child processes of the benchmark: each runs under `sh -c 'exec ...'` with its output in a
 * log file (so a chatty child never blocks on a full pipe), and is stopped by its own pid.
 *
 * @module
 */

/** A running child process. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL after 3 s. */
  stop(): Promise<void>;
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Starts `cmd` with its stdout and stderr in `log`. */
export function spawn(
  name: string,
  cmd: readonly string[],
  options: { log: string; cwd?: string; env?: Record<string, string> },
): Child {
  const script = `exec ${cmd.map(quote).join(" ")} >${quote(options.log)} 2>&1`;
  const process = new Deno.Command("sh", {
    args: ["-c", script],
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const exited = process.status.then((s) => s.code);
  let done = false;
  exited.then(() => done = true);
  return {
    name,
    pid: process.pid,
    log: options.log,
    exited,
    async stop() {
      if (done) return;
      try {
        process.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          if (!done) process.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The last `lines` lines of a child's log, for error messages. */
export function logTail(child: Child, lines = 8): string {
  try {
    return Deno.readTextFileSync(child.log).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `child`'s log holds a line `listening PORT` and returns the port. */
export async function waitListening(child: Child, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.exited.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const m = Deno.readTextFileSync(child.log).match(/^listening (\d+)$/m);
      if (m) return Number(m[1]);
    } catch { /* not written yet */ }
    await sleep(50);
  }
  throw new Error(
    `Cannot start ${child.name}: it did not say which port it listens on\n${logTail(child)}`,
  );
}

/** Waits until every port accepts a TCP connection, or the child exits. */
export async function waitPorts(child: Child, ports: readonly number[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.exited.then(() => exited = true);
  for (const port of ports) {
    while (true) {
      if (exited) throw new Error(`Cannot start ${child.name}: it exited\n${logTail(child)}`);
      if (Date.now() > deadline) {
        throw new Error(
          `Cannot start ${child.name}: port "${port}" not open after ${timeoutMs} ms\n${
            logTail(child)
          }`,
        );
      }
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await sleep(100);
      }
    }
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
