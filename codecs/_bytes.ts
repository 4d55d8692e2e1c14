/**
 * Bytes for the frames codecs write (mutated messages, error and heartbeat replies).
 *
 * Allocating an `ArrayBuffer` costs more than a microsecond here, whatever its size, so
 * frames up to {@link MAX_POOLED} bytes are views carved in turn from shared slabs of
 * {@link SLAB_SIZE} bytes, as Node's `Buffer` pool does: a view costs a few nanoseconds. A
 * slab lives as long as any frame in it. Such a frame's `buffer` holds other frames too, so
 * write the frame itself (never `frame.buffer`) and never transfer its buffer.
 *
 * @module
 */

/** The size of a shared slab. */
export const SLAB_SIZE = 64 * 1024;
/** Frames larger than this get an `ArrayBuffer` of their own. */
export const MAX_POOLED = 8 * 1024;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/** `n` zeroed bytes for a frame (see the module documentation). */
export function allocBytes(n: number): Uint8Array {
  if (n > MAX_POOLED) return new Uint8Array(n);
  if (used + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const out = new Uint8Array(slab, used, n);
  used += (n + 7) & ~7; // the next frame starts 8-byte aligned
  return out;
}

/** Copies `src[from, to)` to `dst` at `at` (a loop for short runs, `set` for long ones). */
export function copyBytes(
  dst: Uint8Array,
  at: number,
  src: Uint8Array,
  from: number,
  to: number,
): void {
  const n = to - from;
  if (n < 48) {
    for (let i = 0; i < n; i++) dst[at + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, to), at);
  }
}
