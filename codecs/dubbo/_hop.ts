/**
 * The optimistic walk of a request's arguments and attachments, tried before the exact walk
 * of `hessian_walker.ts` and `attachments.ts`.
 *
 * Hessian string lengths count UTF-16 units, so a walk must know whether a string's bytes
 * are ASCII to find where it ends, and checking string by string costs more than the rest of
 * the walk. This walk instead takes every compact string to be ASCII and hops over it by its
 * unit count, while it counts the non-ASCII bytes that it reads as structure (tags, length
 * bytes, scalar payloads). At the end one word-at-a-time pass counts the non-ASCII bytes of
 * the whole span walked. When the two counts agree, no byte that the walk took for string
 * characters is non-ASCII, so every hop was exact, and so was the walk: the first hop that
 * were wrong would have had a non-ASCII byte among the units it hopped over (a string that
 * is not ASCII has one among its first `units` bytes). When they differ, when a form this
 * walk leaves to the exact one appears (chunked strings and binary, typed maps, `O`, `V`,
 * `X`, `U`, `W` and `Q` values, long class headers), or when anything is malformed, the
 * caller walks the same bytes exactly, which also finds the precise error.
 *
 * @module
 */

import { ENTRY, type EntryRanges } from "./_metadata.ts";
import { countNonAscii } from "./_utf8.ts";
import { DEFAULT_MAX_DEPTH } from "./hessian_reader.ts";
import { FIXED_SIZE } from "./hessian_walker.ts";

// What the walk expects inside an open map (lists and objects keep a count of values).
const MAP_KEY = -2;
const MAP_VALUE = -3;

/** The open containers of the walk, innermost last (the walk never nests calls). */
const STACK = new Int32Array(DEFAULT_MAX_DEPTH + 8);

/** The non-ASCII bytes the walk read as structure since {@link hopBegin}. */
let structural = 0;

/** Where the map read by the last successful {@link hopAttachments} ends. */
export let hopEnd = 0;

/** Starts counting for a walk whose span is checked by {@link hopVerified}. */
export function hopBegin(): void {
  structural = 0;
}

/**
 * Whether the walk since {@link hopBegin} over `b[from, to)` was exact: the non-ASCII bytes of
 * the span are all bytes it read as structure (`w` and `shift` are the word view of `b`).
 */
export function hopVerified(
  b: Uint8Array,
  w: Int32Array,
  shift: number,
  from: number,
  to: number,
): boolean {
  return countNonAscii(b, w, shift, from, to) === structural;
}

/**
 * Hops over `count` values from `p` in `b[.., end)`, recording the field counts of class
 * definitions in `classes`: returns the offset after them, or -1 when the exact walk must
 * decide. `depth` is how many containers are open around them (the nesting limit counts
 * them, as the exact walk does).
 */
export function hopValues(
  b: Uint8Array,
  end: number,
  classes: number[],
  p: number,
  count: number,
  depth = 0,
): number {
  let high = 0;
  let sp = 0;
  let left = count;
  let defined = false;
  for (;;) {
    if (left === 0) {
      if (sp === 0) break;
      left = STACK[--sp];
      continue;
    }
    if (p >= end) return -1;
    const tag = b[p];
    if (tag === 0x43) {
      // A class definition: a compact name, a compact field count, compact field names.
      let q = p + 1;
      if (q >= end) return -1;
      let t = b[q];
      if (t < 0x20) q += 1 + t;
      else if (t >= 0x30 && t <= 0x33 && q + 1 < end) {
        high += b[q + 1] >>> 7;
        q += 2 + (((t - 0x30) << 8) | b[q + 1]);
      } else return -1;
      if (q >= end) return -1;
      const fields = b[q] - 0x90;
      if (fields < 0 || fields > 0x2f) return -1;
      high++; // the count byte
      q++;
      for (let k = 0; k < fields; k++) {
        if (q >= end) return -1;
        t = b[q];
        if (t < 0x20) q += 1 + t;
        else if (t >= 0x30 && t <= 0x33 && q + 1 < end) {
          high += b[q + 1] >>> 7;
          q += 2 + (((t - 0x30) << 8) | b[q + 1]);
        } else return -1;
      }
      if (q > end) return -1;
      classes.push(fields);
      p = q;
      defined = true;
      continue;
    }
    if (left > 0) {
      left--;
    } else if (left === MAP_VALUE) {
      left = MAP_KEY;
    } else if (tag === 0x5a && !defined) {
      p++;
      left = 0;
      continue;
    } else {
      left = MAP_VALUE;
    }
    defined = false;
    high += tag >>> 7;
    const size = FIXED_SIZE[tag];
    if (size !== 0) {
      const stop = p + size;
      if (stop > end) return -1;
      for (let j = p + 1; j < stop; j++) high += b[j] >>> 7;
      p = stop;
      continue;
    }
    if (tag < 0x20) {
      p += 1 + tag;
      if (p > end) return -1;
      continue;
    }
    if (tag >= 0x30 && tag <= 0x33) {
      if (p + 1 >= end) return -1;
      high += b[p + 1] >>> 7;
      p += 2 + (((tag - 0x30) << 8) | b[p + 1]);
      if (p > end) return -1;
      continue;
    }
    let inner: number;
    if (tag === 0x48) {
      inner = MAP_KEY;
      p++;
    } else if (tag >= 0x78 && tag <= 0x7f) {
      inner = tag - 0x78;
      p++;
    } else if (tag >= 0x60 && tag <= 0x6f) {
      if (tag - 0x60 >= classes.length) return -1;
      inner = classes[tag - 0x60];
      p++;
    } else if (tag >= 0x70 && tag <= 0x77) {
      // A typed list: its type is a compact string or a compact int index.
      inner = tag - 0x70;
      if (++p >= end) return -1;
      const t = b[p];
      if (t < 0x20) p += 1 + t;
      else if (t >= 0x30 && t <= 0x33 && p + 1 < end) {
        high += b[p + 1] >>> 7;
        p += 2 + (((t - 0x30) << 8) | b[p + 1]);
      } else if (t >= 0x90 && t <= 0xbf) {
        high++;
        p++;
      } else return -1;
      if (p > end) return -1;
    } else {
      return -1;
    }
    if (sp + depth >= DEFAULT_MAX_DEPTH) return -1;
    STACK[sp++] = left;
    left = inner;
  }
  structural += high;
  return p;
}

/**
 * Hops over the attachment map at `p` (none when `p` is `end`), writing the entries whose
 * keys and values are compact strings into `entries` as `readAttachments` does: returns how
 * many numbers it wrote, with {@link hopEnd} after the map, or -1 when the exact walk must
 * decide. `classes` is the class table of the arguments.
 */
export function hopAttachments(
  b: Uint8Array,
  end: number,
  classes: number[],
  p: number,
  entries: EntryRanges,
): number {
  if (p >= end) {
    hopEnd = p;
    return 0;
  }
  if (b[p] !== 0x48) return -1;
  p++;
  let high = 0;
  let n = 0;
  for (;;) {
    if (p >= end) return -1;
    const keyAt = p;
    const tag = b[p];
    if (tag === 0x5a) {
      hopEnd = p + 1;
      structural += high;
      return n;
    }
    let chars: number;
    if (tag < 0x20) {
      chars = p + 1;
      p = chars + tag;
    } else if (tag >= 0x30 && tag <= 0x33 && p + 1 < end) {
      high += b[p + 1] >>> 7;
      chars = p + 2;
      p = chars + (((tag - 0x30) << 8) | b[p + 1]);
    } else {
      // A key of another kind: its entry is no metadata (or the exact walk decides).
      structural += high;
      high = 0;
      p = hopValues(b, end, classes, p, 2, 1);
      if (p < 0) return -1;
      continue;
    }
    if (p >= end) return -1;
    const valueAt = p;
    const valueTag = b[p];
    let valueChars: number;
    if (valueTag < 0x20) {
      valueChars = p + 1;
      p = valueChars + valueTag;
    } else if (valueTag >= 0x30 && valueTag <= 0x33 && p + 1 < end) {
      high += b[p + 1] >>> 7;
      valueChars = p + 2;
      p = valueChars + (((valueTag - 0x30) << 8) | b[p + 1]);
    } else {
      structural += high;
      high = 0;
      p = hopValues(b, end, classes, p, 1, 1);
      if (p < 0) return -1;
      continue;
    }
    if (p > end) return -1;
    entries[n] = keyAt;
    entries[n + 1] = chars;
    entries[n + 2] = valueAt;
    entries[n + 3] = valueChars;
    entries[n + 4] = p;
    n += ENTRY;
  }
}
