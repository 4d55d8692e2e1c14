/**
 * The loop the small controllers (namespace bootstrap ConfigMaps, ServiceEntry VIPs) share:
 * watch a few kinds into one store, and once every watch has listed, run a full pass after
 * each debounced batch of changes; a pass with failed writes runs again a second later.
 *
 * @module
 */
import { Effect, Queue } from "effect";
import {
  type BackoffOptions,
  KubeClient,
  type KubeKind,
  KubeStore,
  runWatcher,
} from "../kube/mod.ts";
import { debounce } from "./debounce.ts";

/** One watched kind and how it is narrowed. */
export interface LoopWatch {
  readonly kind: KubeKind;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** Options of {@linkcode runWatchLoop}. */
export interface WatchLoopOptions {
  readonly watches: readonly LoopWatch[];
  /** One full pass over the store; resolves to the number of writes that failed. */
  readonly pass: (store: KubeStore) => Effect.Effect<number, never, KubeClient>;
  /** Watch inactivity and backoff. @default the watcher's */
  readonly watch?: { readonly inactivityMs?: number; readonly backoff?: BackoffOptions };
}

/** Runs the loop until interrupted; it never fails. */
export function runWatchLoop(options: WatchLoopOptions): Effect.Effect<never, never, KubeClient> {
  return Effect.scoped(Effect.gen(function* () {
    const client = yield* KubeClient;
    const store = new KubeStore();
    const changed = yield* Queue.unbounded<string>();
    const synced = new Set<number>();
    for (const [i, w] of options.watches.entries()) {
      yield* Effect.forkScoped(runWatcher(w.kind, {
        ...w,
        ...options.watch,
        onError: (e) => Effect.logWarning(e.message),
        onEvent: (event) =>
          Effect.sync(() => {
            const changes = store.apply(event);
            if (event.type === "Restarted") synced.add(i);
            if (changes.length > 0 || event.type === "Restarted") {
              Queue.offerUnsafe(changed, w.kind.kind);
            }
          }),
      }));
    }
    const scope = yield* Effect.scope;
    yield* debounce(changed, {
      onBatch: () =>
        synced.size < options.watches.length ? Effect.void : Effect.gen(function* () {
          const failed = yield* options.pass(store).pipe(
            Effect.provideService(KubeClient, client),
            Effect.catchDefect((defect) =>
              Effect.as(Effect.logError(`Cannot finish a pass: ${String(defect)}`), 0)
            ),
          );
          if (failed > 0) {
            yield* Effect.forkIn(
              Effect.andThen(Effect.sleep("1 second"), Queue.offer(changed, "retry")),
              scope,
            );
          }
        }),
    });
  })) as Effect.Effect<never, never, KubeClient>;
}
