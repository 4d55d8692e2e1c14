/**
 * Hessian 2 class definitions (`C`, a type name and field names) and counted lengths, read
 * without building values for the structural walk in `hessian_walker.ts`.
 *
 * @module
 */

import type { HessianReader } from "./hessian_reader.ts";

/** Reads a length that must fit in the remaining bytes (one byte per item at least). */
export function readLength(r: HessianReader): number {
  const at = r.pos;
  const n = r.readInt();
  if (r.failed) return -1;
  if (n < 0 || n > r.end - r.pos) {
    r.fail(`a Hessian length of ${n} exceeds the ${r.end - r.pos} bytes left`, at);
    return -1;
  }
  return n;
}

/**
 * Skips the class definition at `at` and records its field count: returns the offset after
 * it, or -1 with the failure recorded. The common form (compact ASCII names, a compact
 * count) is read on locals; any other goes through {@link skipClassDefinition}.
 */
export function skipClassAt(r: HessianReader, at: number): number {
  const b = r.bytes;
  const end = r.end;
  let p = at + 1 < end ? r.asciiStringEnd(at + 1) : -1;
  const count = p >= 0 && p < end ? b[p] - 0x90 : -1;
  if (count >= 0 && count <= 0x2f) {
    p++;
    for (let i = 0; i < count && p >= 0; i++) {
      p = p < end ? r.asciiStringEnd(p) : -1;
    }
    if (p >= 0) {
      r.classes.push(count);
      return p;
    }
  }
  r.pos = at;
  return skipClassDefinition(r) ? r.pos : -1;
}

function skipClassDefinition(r: HessianReader): boolean {
  let p = skipStringAt(r, r.pos + 1);
  if (p < 0) return false;
  r.pos = p;
  const fields = readLength(r);
  if (fields < 0) return false;
  p = r.pos;
  for (let i = 0; i < fields; i++) {
    p = skipStringAt(r, p);
    if (p < 0) return false;
  }
  r.pos = p;
  r.classes.push(fields);
  return true;
}

/** Skips the string at `p` (compact ASCII inline); returns the offset after it or -1. */
function skipStringAt(r: HessianReader, p: number): number {
  const stop = r.asciiStringEnd(p);
  if (stop >= 0) return stop;
  r.pos = p;
  return r.skipString() ? r.pos : -1;
}
