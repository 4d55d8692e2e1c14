/**
 * Debounce of input changes (control-plane spec §6): a change starts a batch; the batch is
 * handed on once no further change came for `quiet`, or `max` after its first change at the
 * latest, so that a burst of edits costs one generation and a steady trickle cannot starve it.
 *
 * @module
 */
import { Clock, Duration, Effect, Option, Queue } from "effect";

/** Debounce timing. */
export interface DebounceOptions {
  /** Quiet time that ends a batch. @default "100 millis" */
  readonly quiet?: Duration.Input;
  /** Longest a batch waits after its first change. @default "1 second" */
  readonly max?: Duration.Input;
}

/**
 * Takes changes from `source` forever, calling `onBatch` with each debounced batch (in arrival
 * order); changes that arrive while `onBatch` runs form the next batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Effect, Fiber, Queue } from "effect";
 * import { TestClock } from "effect/testing";
 * import { debounce } from "./debounce.ts";
 * const batches: number[][] = [];
 * await Effect.runPromise(Effect.gen(function* () {
 *   const q = yield* Queue.unbounded<number>();
 *   const fiber = yield* Effect.forkChild(
 *     debounce(q, { onBatch: (b) => Effect.sync(() => batches.push(b)) }),
 *   );
 *   yield* Queue.offer(q, 1);
 *   yield* Queue.offer(q, 2);
 *   yield* TestClock.adjust("100 millis");
 *   yield* Fiber.interrupt(fiber);
 * }).pipe(Effect.provide(TestClock.layer())));
 * assert.deepEqual(batches, [[1, 2]]);
 * ```
 */
export function debounce<A>(
  source: Queue.Dequeue<A>,
  options: DebounceOptions & { readonly onBatch: (batch: A[]) => Effect.Effect<void> },
): Effect.Effect<never> {
  const quiet = Duration.toMillis(Duration.fromInputUnsafe(options.quiet ?? "100 millis"));
  const max = Duration.toMillis(Duration.fromInputUnsafe(options.max ?? "1 second"));
  return Effect.forever(Effect.gen(function* () {
    const batch = [yield* Queue.take(source)];
    const start = yield* Clock.currentTimeMillis;
    while (true) {
      const left = max - ((yield* Clock.currentTimeMillis) - start);
      if (left <= 0) break;
      const next = yield* Effect.timeoutOption(Queue.take(source), Math.min(quiet, left));
      if (Option.isNone(next)) break;
      batch.push(next.value);
    }
    yield* options.onBatch(batch);
  })) as Effect.Effect<never>;
}
