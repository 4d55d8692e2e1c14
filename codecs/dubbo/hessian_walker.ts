/**
 * Walks any Hessian 2 value structurally, without building it: every compact int, long,
 * double and date form, strings and binary (chunked or not), class definitions and object
 * instances, typed and untyped lists (fixed and variable length) and maps, references, null
 * and booleans (grammar: hessian.caucho.com/doc/hessian-serialization.html).
 *
 * Every step consumes at least one byte and every length is checked against the bytes left,
 * so hostile input ends in a recorded failure, never a throw or a long loop.
 *
 * @module
 */

import { DEFAULT_MAX_DEPTH, HessianReader, hex, isIntTag, isStringTag } from "./hessian_reader.ts";
import { nonAsciiFrom } from "./_utf8.ts";
import { readLength, skipClassAt } from "./_class_definition.ts";

/**
 * Total size (tag included) of the values whose size the tag alone decides; 0 for the others.
 */
export const FIXED_SIZE: Uint8Array = new Uint8Array(256);
(() => {
  const set = (from: number, to: number, size: number) => FIXED_SIZE.fill(size, from, to + 1);
  for (let t = 0x20; t <= 0x2f; t++) FIXED_SIZE[t] = 1 + t - 0x20; // short binary
  set(0x38, 0x3f, 3); // long, 2 more bytes
  set(0x44, 0x44, 9); // 'D' double
  set(0x46, 0x46, 1); // 'F'
  set(0x49, 0x49, 5); // 'I' int
  set(0x4a, 0x4a, 9); // date in milliseconds
  set(0x4b, 0x4b, 5); // date in minutes
  set(0x4c, 0x4c, 9); // 'L' long
  set(0x4e, 0x4e, 1); // 'N' null
  set(0x54, 0x54, 1); // 'T'
  set(0x59, 0x59, 5); // long as 32-bit int
  set(0x5b, 0x5c, 1); // double 0.0 / 1.0
  set(0x5d, 0x5d, 2); // double from byte
  set(0x5e, 0x5e, 3); // double from short
  set(0x5f, 0x5f, 5); // double from 32 bits
  set(0x80, 0xbf, 1); // int, 1 byte
  set(0xc0, 0xcf, 2); // int, 2 bytes
  set(0xd0, 0xd7, 3); // int, 3 bytes
  set(0xd8, 0xef, 1); // long, 1 byte
  set(0xf0, 0xff, 2); // long, 2 bytes
})();

/** Skips one complete value (a class definition before it included). */
export function skipValue(r: HessianReader): boolean {
  return updatePos(r, skipValuesAt(r, r.pos, 1));
}

// What the walk expects inside an open map; lists and objects keep a count of values.
const MAP_KEY = -2; // a map's next key, or the 'Z' that closes it
const MAP_VALUE = -3; // a map's value

/**
 * Skips `count` values from `p` in one loop (the hot path of every walk): returns the offset
 * after them, or -1 with the failure recorded. Open containers are kept on a small explicit
 * stack, scalars are skipped by the size their tag decides, compact strings and class
 * definitions of ASCII names inline (their bytes checked against the reader's known-ASCII
 * span, kept in locals here); the rare forms go through the reader-based {@link skipOther}.
 */
export function skipValuesAt(r: HessianReader, p: number, count: number): number {
  const b = r.bytes;
  const end = r.end;
  // The reader's known-ASCII span (see `HessianReader.asciiFrom`), synced around calls out.
  let lo = r.asciiFrom;
  let hi = r.asciiTo;
  // What the enclosing containers still expect (a count, or one of the markers above).
  const base = stackTop;
  let sp = base;
  let left = count;
  // Whether a class definition was just skipped: a value must follow it, not a 'Z'.
  let defined = false;
  for (;;) {
    if (left === 0) {
      if (sp === base) break;
      left = STACK[--sp];
      r.depth--;
      continue;
    }
    if (p >= end) {
      p = truncatedAt(r);
      break;
    }
    const tag = b[p];
    if (tag === 0x43) {
      // A class definition is not a value of its own: the value it prefixes follows.
      // The common form (compact ASCII name, compact field count, compact ASCII field
      // names) is read here; string tags are ASCII bytes, so the field names are one span.
      let q = compactEnd(b, end, p + 1);
      const fields = q >= 0 && q < end ? b[q] - 0x90 : -1;
      if (fields >= 0 && fields <= 0x2f) {
        const nameAt = b[p + 1] < 0x20 ? p + 2 : p + 3;
        if (nameAt < lo || nameAt > hi) {
          lo = nameAt;
          hi = nonAsciiFrom(b, r.words, r.shift, nameAt, end);
        }
        const namesAt = q + 1;
        q = q <= hi ? namesAt : -1;
        for (let k = 0; k < fields && q >= 0; k++) q = compactEnd(b, end, q);
        if (q > namesAt) {
          if (namesAt < lo || namesAt > hi) {
            lo = namesAt;
            hi = nonAsciiFrom(b, r.words, r.shift, namesAt, end);
          }
          if (q > hi) q = -1;
        }
      } else {
        q = -1;
      }
      if (q >= 0) {
        r.classes.push(fields);
        p = q;
      } else {
        r.asciiFrom = lo;
        r.asciiTo = hi;
        p = skipClassAt(r, p);
        if (p < 0) break;
        lo = r.asciiFrom;
        hi = r.asciiTo;
      }
      defined = true;
      continue;
    }
    if (left > 0) {
      left--;
    } else if (left === MAP_VALUE) {
      left = MAP_KEY;
    } else if (tag === 0x5a && !defined) { // 'Z' closes a map before its next key
      p++;
      left = 0;
      continue;
    } else {
      left = MAP_VALUE;
    }
    defined = false;
    const size = FIXED_SIZE[tag];
    if (size !== 0) {
      p += size;
      if (p > end) {
        p = truncatedAt(r);
        break;
      }
      continue;
    }
    let i = -1;
    let stop = 0;
    if (tag < 0x20) {
      i = p + 1;
      stop = i + tag;
    } else if (tag >= 0x30 && tag <= 0x33) {
      if (p + 1 < end) {
        i = p + 2;
        stop = i + (((tag - 0x30) << 8) | b[p + 1]);
      }
    } else if (tag >= 0x60 && tag <= 0x7f && (tag < 0x70 || tag >= 0x78) || tag === 0x48) {
      let inner: number;
      if (tag === 0x48) inner = MAP_KEY;
      else if (tag >= 0x78) inner = tag - 0x78;
      else if (tag - 0x60 < r.classes.length) inner = r.classes[tag - 0x60];
      else {
        p = badClass(r, tag - 0x60, p);
        break;
      }
      if (!enterContainer(r, p)) {
        p = -1;
        break;
      }
      STACK[sp++] = left;
      stackTop = sp;
      left = inner;
      p++;
      continue;
    } else {
      r.pos = p;
      r.asciiFrom = lo;
      r.asciiTo = hi;
      if (!skipOther(r, tag)) {
        p = -1;
        break;
      }
      p = r.pos;
      lo = r.asciiFrom;
      hi = r.asciiTo;
      continue;
    }
    if (i >= 0 && stop <= end) {
      if (i < lo || i > hi) {
        lo = i;
        hi = nonAsciiFrom(b, r.words, r.shift, i, end);
      }
      if (stop <= hi) {
        p = stop;
        continue;
      }
    }
    r.pos = p;
    r.asciiFrom = lo;
    r.asciiTo = hi;
    if (!r.skipString()) {
      p = -1;
      break;
    }
    p = r.pos;
    lo = r.asciiFrom;
    hi = r.asciiTo;
  }
  stackTop = base;
  r.asciiFrom = lo;
  r.asciiTo = hi;
  return p;
}

/**
 * The explicit stack of {@link skipValuesAt}, shared by its (possibly nested) calls: each
 * call uses the slots from the top it found and gives them back when it returns. Nesting is
 * bounded by the reader's depth limit, so the stack never needs more than that many slots.
 */
const STACK = new Int32Array(2 * DEFAULT_MAX_DEPTH + 8);
let stackTop = 0;

/**
 * Where the compact string at `b[q]` ends if its characters are one byte each, or -1 when
 * it is not a compact string or does not fit before `end`; the caller checks the bytes.
 */
function compactEnd(b: Uint8Array, end: number, q: number): number {
  if (q >= end) return -1;
  const tag = b[q];
  let stop: number;
  if (tag < 0x20) stop = q + 1 + tag;
  else if (tag >= 0x30 && tag <= 0x33 && q + 1 < end) {
    stop = q + 2 + (((tag - 0x30) << 8) | b[q + 1]);
  } else return -1;
  return stop <= end ? stop : -1;
}

function truncatedAt(r: HessianReader): number {
  r.truncated();
  return -1;
}

function badClass(r: HessianReader, index: number, at: number): number {
  r.fail(
    `a Hessian object uses class definition ${index}, but ${r.classes.length} are defined`,
    at,
  );
  return -1;
}

function skipItemsAt(r: HessianReader, p: number, n: number, at: number): number {
  if (!enterContainer(r, at)) return -1;
  p = skipValuesAt(r, p, n);
  if (p < 0) return -1;
  r.depth--;
  return p;
}

function skipObjectAt(r: HessianReader, p: number, index: number, at: number): number {
  if (index < 0 || index >= r.classes.length) return badClass(r, index, at);
  return skipItemsAt(r, p, r.classes[index], at);
}

function skipEntriesAt(r: HessianReader, p: number, at: number): number {
  if (!enterContainer(r, at)) return -1;
  const b = r.bytes;
  for (;;) {
    if (p >= r.end) return truncatedAt(r);
    if (b[p] === 0x5a) {
      r.depth--;
      return p + 1;
    }
    p = skipValuesAt(r, p, 2);
    if (p < 0) return -1;
  }
}

function skipOther(r: HessianReader, tag: number): boolean {
  const at = r.pos;
  if (tag >= 0x70 && tag <= 0x77) {
    r.pos++;
    return skipType(r) && skipItems(r, tag & 0x07, at);
  }
  switch (tag) {
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37:
    case 0x41:
    case 0x42:
      return skipBinary(r);
    case 0x52: // string chunks
    case 0x53:
      return r.skipString();
    case 0x4d: // 'M' typed map
      r.pos++;
      if (!skipType(r)) return false;
      return updatePos(r, skipEntriesAt(r, r.pos, at));
    case 0x4f: { // 'O' object instance, class index as an int
      r.pos++;
      const index = r.readInt();
      return !r.failed && updatePos(r, skipObjectAt(r, r.pos, index, at));
    }
    case 0x51: { // 'Q' reference to an earlier list, map or object
      r.pos++;
      const ref = r.readInt();
      return !r.failed && (ref >= 0 || r.fail(`a Hessian reference is negative (${ref})`, at));
    }
    case 0x55: // typed variable-length list
      r.pos++;
      return skipType(r) && skipUntilEnd(r, at);
    case 0x56: // typed fixed-length list
      r.pos++;
      return skipType(r) && skipCountedList(r, at);
    case 0x57: // untyped variable-length list
      r.pos++;
      return skipUntilEnd(r, at);
    case 0x58: // untyped fixed-length list
      r.pos++;
      return skipCountedList(r, at);
    default:
      return r.fail(`unexpected Hessian tag ${hex(tag)}`, at);
  }
}

/** Enters a list, map or object: counts it for references and checks the nesting limit. */
export function enterContainer(r: HessianReader, at: number): boolean {
  r.refables++;
  if (++r.depth > r.maxDepth) {
    return r.fail(`Hessian values nest deeper than ${r.maxDepth} levels`, at);
  }
  return true;
}

function skipItems(r: HessianReader, n: number, at: number): boolean {
  return updatePos(r, skipItemsAt(r, r.pos, n, at));
}

/** Moves the reader to `p`, the result of a local-offset walk (-1 on failure). */
function updatePos(r: HessianReader, p: number): boolean {
  if (p < 0) return false;
  r.pos = p;
  return true;
}

function skipCountedList(r: HessianReader, at: number): boolean {
  const n = readLength(r);
  return n >= 0 && skipItems(r, n, at);
}

function skipUntilEnd(r: HessianReader, at: number): boolean {
  if (!enterContainer(r, at)) return false;
  for (;;) {
    if (r.pos >= r.end) return r.truncated();
    if (r.bytes[r.pos] === 0x5a) {
      r.pos++;
      r.depth--;
      return true;
    }
    if (!skipValue(r)) return false;
  }
}

/** Skips a list or map type: a type name string or an int index into earlier type names. */
export function skipType(r: HessianReader): boolean {
  const tag = r.peek();
  if (isStringTag(tag)) return r.skipString();
  if (isIntTag(tag)) {
    const ref = r.readInt();
    return !r.failed && (ref >= 0 || r.fail(`a Hessian type reference is negative (${ref})`));
  }
  if (tag < 0) return r.truncated();
  return r.fail(`expected a Hessian type, found tag ${hex(tag)}`);
}

function skipBinary(r: HessianReader): boolean {
  const b = r.bytes;
  for (;;) {
    const at = r.pos;
    const tag = r.peek();
    if (tag >= 0x20 && tag <= 0x2f) return r.skipBytes(1 + tag - 0x20);
    if (tag >= 0x34 && tag <= 0x37) {
      if (!r.skipBytes(2)) return false;
      return r.skipBytes(((tag - 0x34) << 8) | b[at + 1]);
    }
    if (tag !== 0x41 && tag !== 0x42) {
      if (tag < 0) return r.truncated();
      return r.fail(`expected a Hessian binary chunk, found tag ${hex(tag)}`);
    }
    if (!r.skipBytes(3) || !r.skipBytes((b[at + 1] << 8) | b[at + 2])) return false;
    if (tag === 0x42) return true;
  }
}
