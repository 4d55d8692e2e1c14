/**
 * A coarse clock for the message path. `performance.now()` is a runtime call that costs
 * about as much as decoding a small frame, so the read loops read it once per read
 * ({@link tick}) and everything that times a message during that turn (exchange start,
 * request time, istio duration) uses the value of the last read ({@link now}). A time is
 * thus the moment its bytes arrived, which is what a latency should measure; deadlines
 * that must not run early use `performance.now()` itself.
 *
 * @module
 */

let current = performance.now();

/** The time of the last {@link tick} (milliseconds, `performance.now()` scale). */
export function now(): number {
  return current;
}

/** Reads the clock; call once per I/O event, before handling its bytes. */
export function tick(): number {
  current = performance.now();
  return current;
}
