/**
 * Transport auto-detection on the first bytes of a frame, as upstream's `AutoTransportImpl`
 * does (data-plane spec §5.2), extended to old-style (non-strict) binary messages:
 *
 * - `0x80 0x01` (strict binary) or `0x82` + version 1 (compact) at offset 0 → unframed;
 * - otherwise the i32 at offset 0 is a frame size, and the two bytes at offset 4 decide:
 *   `0x0F 0xFF` → header (THeader); `0x80 0x01`, `0x82` + version 1, or `0x00` (the high
 *   byte of a non-strict name length, which is never 16 MiB or more) → framed;
 * - an identifier character (`A-Z a-z _`) at offset 4 → unframed non-strict binary: the i32
 *   at offset 0 was the method-name length and offset 4 starts the name. Thrift IDL method
 *   names are identifiers, so this cannot be confused with a frame.
 *
 * Anything else is invalid. Frame sizes are checked against the limit before buffering.
 *
 * @module
 */
import { fail, hexStart, i32, NEED_MORE, type Walk } from "./_wire.ts";

/** A 4-byte length prefix, then a binary or compact message. */
export const FRAMED = 1;
/** A 4-byte length prefix, then a THeader (magic `0x0FFF`) and its payload. */
export const HEADER = 2;
/** A bare binary or compact message, its end found by walking it. */
export const UNFRAMED = 3;

/** The transport of the frame starting `b`, or need-more / invalid (reason in `w`). */
export function detectTransport(b: Uint8Array, w: Walk, maxFrameSize: number): number {
  if (b.length < 1) return NEED_MORE;
  const first = b[0];
  if (first === 0x80 || first === 0x82) {
    if (b.length < 2) return NEED_MORE;
    if (isMagic(first, b[1])) return UNFRAMED;
    return unknown(b, w);
  }
  if (first >= 0x80) return unknown(b, w);
  if (b.length < 6) return NEED_MORE;
  const size = i32(b, 0);
  const next = b[4];
  let kind: number;
  if (next === 0x0f && b[5] === 0xff) kind = HEADER;
  else if (next === 0 || isMagic(next, b[5])) kind = FRAMED;
  else if (isIdentifierStart(next)) return UNFRAMED;
  else return unknown(b, w);
  if (size === 0) return fail(w, 0, `frame size is "0"`);
  if (size > maxFrameSize - 4) {
    return fail(w, 0, `frame size "${size + 4}" exceeds the limit "${maxFrameSize}"`);
  }
  return kind;
}

function isMagic(first: number, second: number): boolean {
  if (first === 0x80) return second === 0x01;
  return first === 0x82 && (second & 0x1f) === 1;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function unknown(b: Uint8Array, w: Walk): number {
  return fail(w, 0, `unknown transport, frame starts ${hexStart(b)}`);
}
