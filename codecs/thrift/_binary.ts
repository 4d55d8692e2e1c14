/**
 * TBinaryProtocol: the message header (strict `0x8001` and old-style non-strict) and a
 * structural skipper that walks a value without building it.
 *
 * @module
 */
import {
  fail,
  i16,
  i32,
  MAX_DEPTH,
  messageTypeOk,
  need,
  short,
  T_BOOL,
  T_BYTE,
  T_DOUBLE,
  T_I16,
  T_I32,
  T_I64,
  T_LIST,
  T_MAP,
  T_SET,
  T_STOP,
  T_STRING,
  T_STRUCT,
  T_UUID,
  type Walk,
} from "./_wire.ts";

/**
 * Parses a binary message header at `pos` into `w` (type, seqid, name span, strictness).
 * Strict headers start `0x80 0x01 0x00 <type>`, then the i32 name length, name and i32
 * seqid; non-strict ones start with the i32 name length, then name, type byte and seqid.
 * Returns the position of the argument/result struct.
 */
export function binaryHeader(b: Uint8Array, w: Walk, pos: number): number {
  if (pos + 4 > b.length) return short(w, pos, pos + 4);
  const strict = b[pos] >= 0x80;
  w.strict = strict;
  if (strict) {
    if (b[pos] !== 0x80 || b[pos + 1] !== 0x01 || b[pos + 2] !== 0) {
      return fail(w, pos, `unsupported binary protocol version "0x${hex4(b, pos)}"`);
    }
    w.type = b[pos + 3];
    if (!messageTypeOk(w.type)) return badType(w, pos + 3);
    pos += 4;
    if (pos + 4 > b.length) return short(w, pos, pos + 4);
  }
  const length = i32(b, pos);
  if (length < 0) return fail(w, pos, `method name length "${length}" is negative`);
  w.nameStart = pos + 4;
  w.nameEnd = w.nameStart + length;
  const end = w.nameEnd + (strict ? 4 : 5);
  const ok = need(b, w, pos, end);
  if (ok < 0) return ok;
  if (!strict) {
    w.type = b[w.nameEnd];
    if (!messageTypeOk(w.type)) return badType(w, w.nameEnd);
  }
  w.seqId = i32(b, end - 4);
  return end;
}

/** Reads the id of the first field of the struct at `pos` into `w.firstField` (0: none). */
export function binaryFirstField(b: Uint8Array, w: Walk, pos: number): number {
  if (pos + 1 > b.length) return short(w, pos, pos + 1);
  if (b[pos] === T_STOP) {
    w.firstField = 0;
    return pos;
  }
  if (pos + 3 > b.length) return short(w, pos, pos + 3);
  w.firstField = i16(b, pos + 1);
  return pos;
}

/** Wire size of each fixed-size type, by type byte; 0 for variable-size or unknown types. */
const FIXED = new Uint8Array(256);
/** The fewest bytes a value of each type takes, by type byte; 0 for unknown types. */
const LEAST = new Uint8Array(256);
for (const [type, size] of [[T_BOOL, 1], [T_BYTE, 1], [T_I16, 2], [T_I32, 4], [T_DOUBLE, 8]]) {
  FIXED[type] = LEAST[type] = size;
}
FIXED[T_I64] = LEAST[T_I64] = 8;
FIXED[T_UUID] = LEAST[T_UUID] = 16;
LEAST[T_STRING] = 4;
LEAST[T_STRUCT] = 1;
LEAST[T_LIST] = LEAST[T_SET] = 5;
LEAST[T_MAP] = 6;

/** Skips a struct at `pos` (fields until STOP); returns the position after it. */
export function skipBinaryStruct(b: Uint8Array, w: Walk, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return fail(w, pos, `nesting passes the depth limit "${MAX_DEPTH}"`);
  for (;;) {
    if (pos >= b.length) return short(w, pos, pos + 1);
    const type = b[pos];
    if (type === T_STOP) return pos + 1;
    const size = FIXED[type];
    // Scalar fields, the common case, are stepped over without a call.
    if (size !== 0) {
      const end = pos + 3 + size;
      if (end > b.length) return short(w, pos, end);
      pos = end;
      continue;
    }
    if (LEAST[type] === 0) return fail(w, pos, `unknown field type "${type}" at byte "${pos}"`);
    if (pos + 3 > b.length) return short(w, pos, pos + 3);
    pos = skipBinary(b, w, pos + 3, type, depth);
    if (pos < 0) return pos;
  }
}

/** Skips one value of binary type `type` at `pos`; returns the position after it. */
export function skipBinary(
  b: Uint8Array,
  w: Walk,
  pos: number,
  type: number,
  depth: number,
): number {
  const size = FIXED[type];
  if (size !== 0) return need(b, w, pos, pos + size);
  switch (type) {
    case T_STRING: {
      if (pos + 4 > b.length) return short(w, pos, pos + 4);
      const length = i32(b, pos);
      if (length < 0) return fail(w, pos, `string length "${length}" is negative`);
      return need(b, w, pos, pos + 4 + length);
    }
    case T_STRUCT:
      return skipBinaryStruct(b, w, pos, depth + 1);
    case T_LIST:
    case T_SET:
      return skipList(b, w, pos, depth + 1);
    case T_MAP:
      return skipMap(b, w, pos, depth + 1);
    default:
      return fail(w, pos, `unknown field type "${type}" at byte "${pos}"`);
  }
}

function skipList(b: Uint8Array, w: Walk, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return fail(w, pos, `nesting passes the depth limit "${MAX_DEPTH}"`);
  if (pos + 5 > b.length) return short(w, pos, pos + 5);
  const type = b[pos];
  const count = i32(b, pos + 1);
  if (count < 0) return fail(w, pos, `container size "${count}" is negative`);
  if (LEAST[type] === 0) return fail(w, pos, `unknown element type "${type}" at byte "${pos}"`);
  pos += 5;
  const size = FIXED[type];
  if (size !== 0) return need(b, w, pos, pos + count * size);
  // A bogus count is refused (or waited for) before walking a single element.
  const least = pos + count * LEAST[type];
  if (least > b.length) return short(w, pos, least);
  for (let i = 0; i < count; i++) {
    pos = skipBinary(b, w, pos, type, depth);
    if (pos < 0) return pos;
  }
  return pos;
}

function skipMap(b: Uint8Array, w: Walk, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return fail(w, pos, `nesting passes the depth limit "${MAX_DEPTH}"`);
  if (pos + 6 > b.length) return short(w, pos, pos + 6);
  const keyType = b[pos];
  const valueType = b[pos + 1];
  const count = i32(b, pos + 2);
  if (count < 0) return fail(w, pos, `container size "${count}" is negative`);
  if (LEAST[keyType] === 0 || LEAST[valueType] === 0) {
    return fail(w, pos, `unknown map key or value type "${keyType}/${valueType}" at byte "${pos}"`);
  }
  pos += 6;
  const pair = FIXED[keyType] + FIXED[valueType];
  if (FIXED[keyType] !== 0 && FIXED[valueType] !== 0) return need(b, w, pos, pos + count * pair);
  // A bogus count is refused (or waited for) before walking a single entry.
  const least = pos + count * (LEAST[keyType] + LEAST[valueType]);
  if (least > b.length) return short(w, pos, least);
  for (let i = 0; i < count; i++) {
    pos = skipBinary(b, w, pos, keyType, depth);
    if (pos < 0) return pos;
    pos = skipBinary(b, w, pos, valueType, depth);
    if (pos < 0) return pos;
  }
  return pos;
}

function badType(w: Walk, at: number): number {
  return fail(w, at, `unknown message type "${w.type}" at byte "${at}"`);
}

function hex4(b: Uint8Array, pos: number): string {
  return (i32(b, pos) >>> 0).toString(16).padStart(8, "0");
}
