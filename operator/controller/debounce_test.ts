import assert from "node:assert/strict";
import { Clock, Effect, Fiber, Queue } from "effect";
import { TestClock } from "effect/testing";
import { debounce, type DebounceOptions } from "./debounce.ts";

/** Runs `script` against a debouncer; returns each batch with the (test) time it fired. */
function withDebounce(
  options: DebounceOptions,
  script: (
    offer: (n: number) => Effect.Effect<void>,
    fired: readonly unknown[],
  ) => Effect.Effect<void>,
): Promise<{ at: number; batch: number[] }[]> {
  const fired: { at: number; batch: number[] }[] = [];
  return Effect.runPromise(
    Effect.gen(function* () {
      const q = yield* Queue.unbounded<number>();
      const fiber = yield* Effect.forkChild(debounce(q, {
        ...options,
        onBatch: (batch) =>
          Effect.flatMap(
            Clock.currentTimeMillis,
            (at) => Effect.sync(() => fired.push({ at, batch })),
          ),
      }));
      yield* script((n) => Effect.asVoid(Queue.offer(q, n)), fired);
      yield* Fiber.interrupt(fiber);
      return fired;
    }).pipe(Effect.provide(TestClock.layer())),
  );
}

Deno.test("debounce() hands on a batch once changes stop for 100 ms by default", async () => {
  const batches = await withDebounce({}, (offer, fired) =>
    Effect.gen(function* () {
      yield* offer(1);
      yield* TestClock.adjust("90 millis");
      yield* offer(2);
      yield* TestClock.adjust("99 millis");
      assert.equal(fired.length, 0, "fired before 100 ms of quiet");
      yield* TestClock.adjust("1 millis");
      yield* offer(3);
      yield* TestClock.adjust("100 millis");
    }));
  const rounded = batches.map(({ at, batch }) => ({ at: Math.round(at), batch }));
  assert.deepEqual(rounded, [{ at: 190, batch: [1, 2] }, { at: 290, batch: [3] }]);
});

Deno.test("debounce() hands on a batch 1 s after its first change while changes keep coming", async () => {
  const batches = await withDebounce({}, (offer) =>
    Effect.gen(function* () {
      for (let i = 0; i < 50; i++) {
        yield* offer(i);
        yield* TestClock.adjust("50 millis");
      }
      yield* TestClock.adjust("100 millis");
    }));
  const at = batches.map((b) => Math.round(b.at));
  assert.deepEqual(at, [1000, 2000, 2550]);
  assert.deepEqual(batches[0].batch, [...Array(20).keys()]);
  assert.deepEqual(batches.flatMap((b) => b.batch), [...Array(50).keys()]);
});

Deno.test("debounce() takes its quiet and max times from options", async () => {
  const batches = await withDebounce(
    { quiet: "10 millis", max: "25 millis" },
    (offer) =>
      Effect.gen(function* () {
        for (let i = 0; i < 4; i++) {
          yield* offer(i);
          yield* TestClock.adjust("9 millis");
        }
        yield* TestClock.adjust("10 millis");
      }),
  );
  assert.deepEqual(batches.map((b) => [Math.round(b.at), b.batch]), [[25, [0, 1, 2]], [37, [3]]]);
});
