/**
 * Varint rewriting for request-id changes: in place when the new value fits the bytes the
 * old one occupies (a padded varint, which every protobuf and Thrift compact reader
 * accepts), otherwise spliced into new bytes.
 *
 * @module
 */
import { allocBytes, copyBytes } from "./_bytes.ts";

/** The end of the varint starting at `pos` in `b`, or -1 if it does not end within 10 bytes. */
export function varintEnd(b: Uint8Array, pos: number, limit: number): number {
  for (let i = 0; i < 10 && pos + i < limit; i++) {
    if ((b[pos + i] & 0x80) === 0) return pos + i + 1;
  }
  return -1;
}

/** Bytes of the shortest varint of `value` (an unsigned integer below 2^53). */
export function varintSize(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Writes `value` as a varint of exactly `size` bytes at `pos` (padded with continuation
 * bytes); false, writing nothing, if it needs more.
 */
export function writePaddedVarint(
  b: Uint8Array,
  pos: number,
  size: number,
  value: number,
): boolean {
  if (varintSize(value) > size) return false;
  for (let i = 0; i < size; i++) {
    const group = value % 128;
    value = Math.floor(value / 128);
    b[pos + i] = i === size - 1 ? group : group | 0x80;
  }
  return true;
}

/** A copy of `frame` with `[start, end)` replaced by the shortest varint of `value`. */
export function spliceVarint(
  frame: Uint8Array,
  start: number,
  end: number,
  value: number,
): Uint8Array {
  const size = varintSize(value);
  const out = allocBytes(frame.length - (end - start) + size);
  copyBytes(out, 0, frame, 0, start);
  writePaddedVarint(out, start, size, value);
  copyBytes(out, start + size, frame, end, frame.length);
  return out;
}
