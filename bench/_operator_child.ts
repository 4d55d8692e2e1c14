/**
 * The operator side of `bench/operator_latency.ts`, run in its own process so that its memory
 * is the operator's alone: the EnvoyFilter controller against the API server of `kubeconfig`,
 * watching one namespace, with routes inline (so that a MetaRouter change changes an
 * EnvoyFilter) and the given debounce. It prints one JSON line per reconcile
 * (`{"reconcile":{...}}`) and answers each `mem` line on stdin with its memory after a full
 * garbage collection and its CPU time so far (`{"mem":{...}}`).
 *
 * @module
 */
import process from "node:process";
import { Duration, Effect, References } from "effect";
import { runController } from "../operator/controller/mod.ts";
import { kubeClientLayer } from "../operator/kube/client_live.ts";

/** What the child prints for one reconcile. */
export interface ChildReconcile {
  readonly applied: number;
  readonly pruned: number;
  readonly failed: number;
  /** Milliseconds spent computing the reconcile (without the writes), when reported. */
  readonly computeMs?: number;
  /** `performance.timeOrigin + performance.now()` when the reconcile was reported. */
  readonly at: number;
}

/** What the child prints for a `mem` request. */
export interface ChildMemory {
  readonly rss: number;
  readonly heapUsed: number;
  /** CPU time of the process so far (user + system), in milliseconds. */
  readonly cpuMs: number;
}

function print(line: unknown): void {
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(line) + "\n"));
}

async function answerMemory(): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of Deno.stdin.readable) {
    if (!decoder.decode(chunk).includes("mem")) continue;
    (globalThis as { gc?: () => void }).gc?.();
    const m = Deno.memoryUsage(), cpu = process.cpuUsage();
    const mem: ChildMemory = {
      rss: m.rss,
      heapUsed: m.heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    print({ mem });
  }
}

/** Runs the controller until killed. */
export async function runChild(kubeconfig: string, namespace: string, debounceMs: number) {
  answerMemory();
  const controller = runController({
    namespace,
    rootNamespace: namespace,
    routes: "inline",
    debounce: { quiet: Duration.millis(debounceMs) },
    onReconcile: (r) =>
      Effect.sync(() => {
        const reconcile: ChildReconcile = {
          applied: r.applied.length,
          pruned: r.pruned.length,
          failed: r.failed.length,
          computeMs: r.computeMs,
          at: performance.timeOrigin + performance.now(),
        };
        print({ reconcile });
      }),
  });
  await Effect.runPromise(
    controller.pipe(
      Effect.provide(kubeClientLayer({ kubeconfig })),
      // Reconcile logs would cost time; warnings and errors still show.
      Effect.provideService(References.MinimumLogLevel, "Warn"),
    ),
  );
}
