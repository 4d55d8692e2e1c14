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

import { HessianReader, hex, isIntTag, isStringTag } from "./hessian_reader.ts";

/**
 * Total size (tag included) of the values whose size the tag alone decides; 0 for the others.
 */
const FIXED_SIZE = new Uint8Array(256);
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
  return updatePos(r, skipAt(r, r.pos));
}

/**
 * The hot path of {@link skipValue}, on a local offset: returns the offset after the value
 * at `p`, or -1 with the failure recorded. The common forms are handled inline; the rare
 * ones go through the reader-based {@link skipOther}.
 */
function skipAt(r: HessianReader, p: number): number {
  const b = r.bytes;
  const end = r.end;
  for (;;) {
    if (p >= end) return truncatedAt(r);
    const tag = b[p];
    const size = FIXED_SIZE[tag];
    if (size !== 0) return p + size <= end ? p + size : truncatedAt(r);
    if (tag < 0x20 || (tag >= 0x30 && tag <= 0x33)) return skipStringAt(r, p);
    if (tag >= 0x60 && tag <= 0x6f) return skipObjectAt(r, p + 1, tag - 0x60, p);
    if (tag >= 0x78 && tag <= 0x7f) return skipItemsAt(r, p + 1, tag - 0x78, p);
    if (tag === 0x48) return skipEntriesAt(r, p + 1, p);
    if (tag === 0x43) {
      // A class definition is not a value of its own: the value it prefixes follows.
      r.pos = p;
      if (!skipClassDefinition(r)) return -1;
      p = r.pos;
      continue;
    }
    r.pos = p;
    return skipOther(r, tag) ? r.pos : -1;
  }
}

function truncatedAt(r: HessianReader): number {
  r.truncated();
  return -1;
}

function skipItemsAt(r: HessianReader, p: number, n: number, at: number): number {
  if (!enterContainer(r, at)) return -1;
  for (let i = 0; i < n; i++) {
    p = skipAt(r, p);
    if (p < 0) return -1;
  }
  r.depth--;
  return p;
}

function skipObjectAt(r: HessianReader, p: number, index: number, at: number): number {
  if (index < 0 || index >= r.classes.length) {
    r.fail(
      `a Hessian object uses class definition ${index}, but ${r.classes.length} are defined`,
      at,
    );
    return -1;
  }
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
    p = skipAt(r, p);
    if (p < 0) return -1;
    p = skipAt(r, p);
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
