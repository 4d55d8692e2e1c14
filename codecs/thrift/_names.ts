/**
 * Method names, interned. A service has few methods and every message carries one, so
 * decoding the same bytes to a string again and again is most of the cost of a decode.
 * A small direct-mapped table remembers recent names by their bytes; a hit costs a hash and
 * a compare, a miss decodes and takes the slot. It changes no result, only the speed:
 * hostile names just miss.
 *
 * @module
 */
import { text } from "./_wire.ts";

const SLOTS = 256;
const LONGEST = 64;
const keys: (Uint8Array | undefined)[] = new Array(SLOTS).fill(undefined);
const names: string[] = new Array(SLOTS).fill("");

/** The UTF-8 text of `b[start, end)`, from the intern table when seen before. */
export function methodName(b: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length > LONGEST) return text(b, start, end);
  // A cheap hash of the length and three bytes picks the slot; the compare decides.
  const slot = length === 0
    ? 0
    : (length * 7 + b[start] * 31 + b[end - 1] * 17 + b[start + (length >> 1)]) & (SLOTS - 1);
  const key = keys[slot];
  if (key !== undefined && key.length === length && same(key, b, start)) return names[slot];
  const name = text(b, start, end);
  keys[slot] = b.slice(start, end);
  names[slot] = name;
  return name;
}

function same(key: Uint8Array, b: Uint8Array, start: number): boolean {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== b[start + i]) return false;
  }
  return true;
}
