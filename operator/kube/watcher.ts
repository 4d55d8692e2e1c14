/**
 * The watcher (kube-rs' `watcher`, client-go's reflector): list a kind, then watch it from the
 * list's resourceVersion with bookmarks; re-watch from the last resourceVersion when the server
 * closes the stream, relist on 410 Gone, and back off (exponential, jitter, capped) on any
 * other failure. It never fails: errors are reported through `onError` and retried.
 *
 * @module
 */
import { Effect, Queue, Schedule, Stream } from "effect";
import { backoff, type BackoffOptions } from "./backoff.ts";
import { KubeClient, type SelectOptions, type WatchEvent } from "./client.ts";
import type { KubeError } from "./errors.ts";
import type { KubeKind, KubeObject } from "./kinds.ts";

/** What the watcher reports: a full (re)list, one object applied, or one deleted. */
export type WatcherEvent =
  | { readonly type: "Restarted"; readonly kind: KubeKind; readonly objects: readonly KubeObject[] }
  | { readonly type: "Applied"; readonly kind: KubeKind; readonly object: KubeObject }
  | { readonly type: "Deleted"; readonly kind: KubeKind; readonly object: KubeObject };

/** How a kind is watched. */
export interface WatcherOptions extends SelectOptions {
  /** Receives each event, in order; the watcher waits for it. */
  readonly onEvent: (event: WatcherEvent) => Effect.Effect<void>;
  /** Told of each failure before the watcher backs off or relists. @default ignore */
  readonly onError?: (error: KubeError) => Effect.Effect<void>;
  /**
   * Continue from this resourceVersion instead of listing first (a restart that kept its
   * store); a 410 Gone answer still leads to a full relist.
   */
  readonly resourceVersion?: string;
  /** Backoff between failed attempts. @default 800 ms doubling, jittered, capped at 30 s */
  readonly backoff?: BackoffOptions;
  /** Server-side timeout of each watch request, in seconds. @default 300 */
  readonly timeoutSeconds?: number;
  /** Re-watch after this long without any event or bookmark (see `WatchOptions`). @default 90000 */
  readonly inactivityMs?: number;
}

/**
 * Runs the watcher of one kind until interrupted.
 *
 * @example
 * ```ts ignore
 * yield* Effect.forkScoped(runWatcher(META_ROUTER, { onEvent: (e) => Effect.log(e.type) }));
 * ```
 */
export function runWatcher(
  kind: KubeKind,
  options: WatcherOptions,
): Effect.Effect<never, never, KubeClient> {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    const schedule = backoff(options.backoff);
    let step = yield* Schedule.toStepWithSleep(schedule);
    let resourceVersion = options.resourceVersion;
    const select = {
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    };
    const report = (e: KubeError) => options.onError ? options.onError(e) : Effect.void;
    const sleep = Effect.gen(function* () {
      yield* Effect.ignore(step(undefined));
    });
    const succeeded = Effect.gen(function* () {
      step = yield* Schedule.toStepWithSleep(schedule);
    });
    while (true) {
      if (resourceVersion === undefined) {
        const listed = yield* Effect.result(client.list(kind, select));
        if (listed._tag === "Failure") {
          yield* report(listed.failure);
          yield* sleep;
          continue;
        }
        resourceVersion = listed.success.resourceVersion;
        yield* options.onEvent({ type: "Restarted", kind, objects: listed.success.items });
        yield* succeeded;
      }
      const from: string = resourceVersion;
      const watched = yield* Effect.result(
        Stream.runForEach(
          client.watch(kind, {
            ...select,
            resourceVersion: from,
            timeoutSeconds: options.timeoutSeconds,
            inactivityMs: options.inactivityMs,
          }),
          (event: WatchEvent) =>
            Effect.gen(function* () {
              resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
              if (event.type === "BOOKMARK") return;
              const type = event.type === "DELETED" ? "Deleted" : "Applied";
              yield* options.onEvent({ type, kind, object: event.object });
              yield* succeeded;
            }),
        ),
      );
      if (watched._tag === "Success") continue;
      yield* report(watched.failure);
      if (watched.failure._tag === "KubeGoneError") resourceVersion = undefined;
      else yield* sleep;
    }
  });
}

/**
 * The watcher of one kind as a stream of {@linkcode WatcherEvent}s (see {@linkcode runWatcher});
 * the watch stops when the stream's consumer stops.
 */
export function watchKind(
  kind: KubeKind,
  options: Omit<WatcherOptions, "onEvent"> = {},
): Stream.Stream<WatcherEvent, never, KubeClient> {
  return Stream.callback<WatcherEvent, never, KubeClient>((queue) =>
    Effect.forkScoped(
      runWatcher(kind, { ...options, onEvent: (e) => Effect.asVoid(Queue.offer(queue, e)) }),
    )
  );
}
