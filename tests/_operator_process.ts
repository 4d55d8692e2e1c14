/**
 * `aeraki operator` as a child process for end-to-end tests against the real kube-apiserver:
 * its output lines with the time each arrived (this machine's clock), and the Lease it elects
 * with.
 *
 * @module
 */
import { Effect } from "effect";
import { parse } from "yaml";
import { LEADER_LEASE_NAME } from "../operator/leader/elector.ts";
import { LeaseStore, leaseStoreLayer, type StoredLease } from "../operator/leader/lease_store.ts";
import { runKube } from "./kube_env.ts";

const MAIN = new URL("../operator/cli/main.ts", import.meta.url).pathname;

/** One output line and when it arrived (epoch milliseconds). */
export interface Line {
  readonly at: number;
  readonly text: string;
}

/** A free loopback TCP port. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running `aeraki operator`. */
export class OperatorProcess {
  readonly lines: Line[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<unknown>;
  exitedAt: number | undefined;

  /** Starts `aeraki operator` with `args` (plus `--kubeconfig`) and extra environment. */
  constructor(
    readonly name: string,
    args: readonly string[],
    kubeconfig: string,
    env: Record<string, string> = {},
  ) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "operator", `--kubeconfig=${kubeconfig}`, ...args],
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = Promise.all([this.#read(this.#child.stdout), this.#read(this.#child.stderr)]);
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const at = Date.now();
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const text of parts) this.lines.push({ at, text });
    }
    if (rest !== "") this.lines.push({ at: Date.now(), text: rest });
  }

  /** The lines that match `pattern`. */
  matching(pattern: RegExp): Line[] {
    return this.lines.filter((l) => pattern.test(l.text));
  }

  /** The identity it elects with, from its start-up line. */
  identity(): string | undefined {
    for (const l of this.lines) {
      const m = /as \\?"([^"\\]+)\\?" while holding Lease/.exec(l.text);
      if (m) return m[1];
    }
    return undefined;
  }

  /** The lines of EnvoyFilter writes (`applied ...` in its reconcile report). */
  writes(): Line[] {
    return this.matching(/applied EnvoyFilter\//);
  }

  /** Sends `signal` and waits for the exit; returns the exit code. */
  async stop(signal: Deno.Signal): Promise<number> {
    try {
      this.#child.kill(signal);
    } catch {
      // Already exited.
    }
    const status = await this.#child.status;
    this.exitedAt = Date.now();
    await this.#done;
    return status.code;
  }

  /** Everything it printed, for failure messages. */
  output(): string {
    return this.lines.map((l) => `[${this.name}] ${l.text}`).join("\n");
  }
}

/** The Lease the operators in `namespace` elect with (undefined before the first try). */
export function readLease(namespace: string): Promise<StoredLease | undefined> {
  return runKube(
    Effect.flatMap(LeaseStore, (s) => s.get({ namespace, name: LEADER_LEASE_NAME })).pipe(
      Effect.provide(leaseStoreLayer),
    ),
  );
}

/** Polls `check` every 100 ms for up to `seconds`; fails with `what` and the last error. */
export async function eventually<A>(
  what: string,
  check: () => Promise<A> | A,
  seconds = 30,
): Promise<A> {
  let last: unknown;
  for (let i = 0; i < seconds * 10; i++) {
    try {
      return await check();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Timed out waiting for ${what}: ${String(last)}`);
}

/** Where the test API server is and the admin's bearer token, from its kubeconfig. */
export function kubeAccess(kubeconfig: string): { server: string; caFile: string; token: string } {
  const config = parse(Deno.readTextFileSync(kubeconfig)) as {
    clusters: { cluster: { server: string; "certificate-authority": string } }[];
    users: { user: { token: string } }[];
  };
  const { server, "certificate-authority": caFile } = config.clusters[0].cluster;
  return { server, caFile, token: config.users[0].user.token };
}
