/**
 * The retry schedule of watches and API writes: exponential with jitter, capped.
 *
 * @module
 */
import { Duration, Effect, Schedule } from "effect";

/** Shape of the backoff. */
export interface BackoffOptions {
  /** First delay. @default "800 millis" */
  readonly base?: Duration.Input;
  /** Growth per attempt. @default 2 */
  readonly factor?: number;
  /** No delay is longer than this, jitter included. @default "30 seconds" */
  readonly max?: Duration.Input;
}

/**
 * Exponential backoff (`base * factor^n`), each delay scaled by a random factor in
 * [0.8, 1.2], then capped at `max`; it never stops recurring.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Duration, Effect, Schedule } from "effect";
 * import { backoff } from "./backoff.ts";
 * const delays = await Effect.runPromise(Effect.gen(function* () {
 *   const step = yield* Schedule.toStep(backoff({ base: "1 second", max: "3 seconds" }));
 *   const out: number[] = [];
 *   for (let i = 0; i < 4; i++) out.push(Duration.toMillis((yield* step(0, undefined))[1]));
 *   return out;
 * }));
 * assert.ok(delays[0] >= 800 && delays[0] <= 1200);
 * assert.ok(delays.every((d) => d <= 3000));
 * assert.equal(delays[3], 3000);
 * ```
 */
export function backoff(options: BackoffOptions = {}): Schedule.Schedule<Duration.Duration> {
  const max = Duration.fromInputUnsafe(options.max ?? "30 seconds");
  return Schedule.exponential(options.base ?? "800 millis", options.factor ?? 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, max))),
  );
}
