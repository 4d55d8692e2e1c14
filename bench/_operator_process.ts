/**
 * The operator child of `bench/operator_latency.ts` seen from the parent: started with
 * `--expose-gc`, its reconcile reports collected, its memory asked for over stdin.
 *
 * @module
 */
import type { ChildMemory, ChildReconcile } from "./_operator_child.ts";

/** A running operator child process. */
export class OperatorProcess {
  /** Every reconcile the child reported, in order (the caller may clear it). */
  readonly reconciles: ChildReconcile[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #memoryWaiters: ((m: ChildMemory) => void)[] = [];
  readonly #reading: Promise<void>;

  /** Starts `script child ...args`. */
  constructor(script: string, args: readonly string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--expose-gc", script, "child", ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    let buffered = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let at: number;
      while ((at = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        const parsed = JSON.parse(line) as { reconcile?: ChildReconcile; mem?: ChildMemory };
        if (parsed.reconcile) this.reconciles.push(parsed.reconcile);
        if (parsed.mem) this.#memoryWaiters.shift()?.(parsed.mem);
      }
    }
  }

  /** The child's memory after a full garbage collection, and its CPU time so far. */
  memory(): Promise<ChildMemory> {
    return new Promise((resolve) => {
      this.#memoryWaiters.push(resolve);
      this.#stdin.write(new TextEncoder().encode("mem\n"));
    });
  }

  /** Stops the child and waits for it. */
  async stop(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#child.status;
    await this.#reading.catch(() => {});
  }
}
