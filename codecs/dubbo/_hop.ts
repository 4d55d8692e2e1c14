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
 * walk leaves to the exact one appears (chunked strings, binary longer than 15 bytes, class
 * definitions with long headers), or when anything is malformed, the caller walks the same
 * bytes exactly, which also finds the precise error. Every container form is read here:
 * maps (`H`, `M`), lists (compact, `V`, `X`, `U`, `W`), objects (compact, `O`) and `Q`
 * references.
 *
 * @module
 */

import { ENTRY, type EntryRanges } from "./_metadata.ts";
import { countNonAscii } from "./_utf8.ts";
import { DEFAULT_MAX_DEPTH } from "./hessian_reader.ts";
import { FIXED_SIZE } from "./hessian_walker.ts";

// What the walk expects inside an open map or variable-length list (lists of known length
// and objects keep a count of values).
const MAP_KEY = -2;
const MAP_VALUE = -3;
const UNTIL_END = -4;

/** The open containers of the walk, innermost last (the walk never nests calls). */
const STACK = new Int32Array(DEFAULT_MAX_DEPTH + 8);

/** The non-ASCII bytes the walk read as structure since {@link hopBegin}. */
let structural = 0;

/** Where the map read by the last successful {@link hopAttachments} ends. */
export let hopEnd = 0;

/**
 * The lengths of the keys {@link hopAttachments} recorded last, as a bit mask: bit
 * `length % 32` is set for each (lookups of other lengths can skip the entries).
 */
export let hopKeyLengths = 0;

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
      // 'Z' ends a map before its next key, or a variable-length list.
      p++;
      left = 0;
      continue;
    } else if (left === MAP_KEY) {
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
    } else if (tag === 0x51) {
      // 'Q', a reference to an earlier container: a non-negative int.
      const ref = hopInt(b, end, p + 1);
      if (next < 0 || ref < 0) return -1;
      high += intHigh;
      p = next;
      continue;
    } else if (tag >= 0x4d && tag <= 0x58 && LONG_FORM[tag - 0x4d] !== 0) {
      // 'M' typed map, 'O' object, 'U'/'W' lists up to 'Z', 'V'/'X' lists with a length.
      const form = LONG_FORM[tag - 0x4d];
      let q = p + 1;
      if ((form & TYPED) !== 0) {
        q = hopType(b, end, q);
        if (q < 0) return -1;
        high += intHigh;
      }
      if ((form & COUNTED) !== 0) {
        const n = hopInt(b, end, q);
        if (next < 0) return -1;
        high += intHigh;
        q = next;
        if (tag === 0x4f) {
          if (n < 0 || n >= classes.length) return -1;
          inner = classes[n];
        } else {
          if (n < 0 || n > end - q) return -1;
          inner = n;
        }
      } else {
        inner = tag === 0x4d ? MAP_KEY : UNTIL_END;
      }
      p = q;
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

// The container forms with a long header, by tag from 'M' (0x4d) to 'X' (0x58): whether a
// type comes first, whether a count (or for 'O' a class index) follows.
const TYPED = 1;
const COUNTED = 2;
const BARE = 4; // neither
const LONG_FORM = new Uint8Array(12);
LONG_FORM[0x4d - 0x4d] = TYPED; // 'M' typed map, entries up to 'Z'
LONG_FORM[0x4f - 0x4d] = COUNTED; // 'O' object, class index
LONG_FORM[0x55 - 0x4d] = TYPED; // 'U' typed list up to 'Z'
LONG_FORM[0x56 - 0x4d] = TYPED | COUNTED; // 'V' typed list with a length
LONG_FORM[0x57 - 0x4d] = BARE; // 'W' untyped list up to 'Z'
LONG_FORM[0x58 - 0x4d] = COUNTED; // 'X' untyped list with a length

/** Where the last {@link hopInt} or {@link hopType} ended, or -1 when it could not read. */
let next = 0;
/** The non-ASCII bytes the last {@link hopInt} or {@link hopType} read. */
let intHigh = 0;

/** Reads a Hessian int of any form at `p` (see {@link next} and {@link intHigh}). */
function hopInt(b: Uint8Array, end: number, p: number): number {
  next = -1;
  if (p >= end) return 0;
  const tag = b[p];
  if (tag >= 0x80 && tag <= 0xbf) {
    next = p + 1;
    intHigh = 1;
    return tag - 0x90;
  }
  if (tag >= 0xc0 && tag <= 0xcf) {
    if (p + 2 > end) return 0;
    next = p + 2;
    intHigh = 1 + (b[p + 1] >>> 7);
    return ((tag - 0xc8) << 8) | b[p + 1];
  }
  if (tag >= 0xd0 && tag <= 0xd7) {
    if (p + 3 > end) return 0;
    next = p + 3;
    intHigh = 1 + (b[p + 1] >>> 7) + (b[p + 2] >>> 7);
    return ((tag - 0xd4) << 16) | (b[p + 1] << 8) | b[p + 2];
  }
  if (tag === 0x49) {
    if (p + 5 > end) return 0;
    next = p + 5;
    intHigh = (b[p + 1] >>> 7) + (b[p + 2] >>> 7) + (b[p + 3] >>> 7) + (b[p + 4] >>> 7);
    return (b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4];
  }
  return 0;
}

/**
 * Hops over a list or map type at `p` — a compact string, or a non-negative int naming an
 * earlier type — and returns the offset after it (-1 when it cannot), {@link intHigh} set.
 */
function hopType(b: Uint8Array, end: number, p: number): number {
  if (p >= end) return -1;
  const t = b[p];
  intHigh = 0;
  let q: number;
  if (t < 0x20) q = p + 1 + t;
  else if (t >= 0x30 && t <= 0x33 && p + 1 < end) {
    intHigh = b[p + 1] >>> 7;
    q = p + 2 + (((t - 0x30) << 8) | b[p + 1]);
  } else {
    const ref = hopInt(b, end, p);
    return next < 0 || ref < 0 ? -1 : next;
  }
  return q <= end ? q : -1;
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
  hopKeyLengths = 0;
  if (p >= end) {
    hopEnd = p;
    return 0;
  }
  if (b[p] !== 0x48) return -1;
  p++;
  let high = 0;
  let n = 0;
  let lengths = 0;
  for (;;) {
    if (p >= end) return -1;
    const keyAt = p;
    const tag = b[p];
    if (tag === 0x5a) {
      hopEnd = p + 1;
      hopKeyLengths = lengths;
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
    lengths |= 1 << ((valueAt - chars) & 31);
    entries[n] = keyAt;
    entries[n + 1] = chars;
    entries[n + 2] = valueAt;
    entries[n + 3] = valueChars;
    entries[n + 4] = p;
    n += ENTRY;
  }
}
