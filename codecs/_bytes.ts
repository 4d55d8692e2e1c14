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

/** The length of `s` in UTF-8, as `TextEncoder` writes it (a lone surrogate as U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // two units, four bytes
        i++;
      } else {
        n += 2;
      }
    } else {
      n += 2;
    }
  }
  return n;
}

/**
 * Writes `s` as UTF-8 at `out[at]` (room for {@link utf8Length} bytes), as `TextEncoder`
 * does, without allocating; returns the offset after it.
 */
export function writeUtf8(s: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          out[at++] = 0xf0 | (cp >> 18);
          out[at++] = 0x80 | ((cp >> 12) & 0x3f);
          out[at++] = 0x80 | ((cp >> 6) & 0x3f);
          out[at++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd; // a lone surrogate
      }
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}
