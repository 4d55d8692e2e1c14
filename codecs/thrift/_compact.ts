/**
 * TCompactProtocol: the message header (`0x82`, version 1, type in the upper 3 bits, varint
 * seqid, varint name length) and a structural skipper that walks a value without building it.
 *
 * @module
 */
import {
  fail,
  MAX_DEPTH,
  messageTypeOk,
  need,
  short,
  skipVarint,
  varint32,
  type Walk,
} from "./_wire.ts";

/** The first byte of every compact message. */
export const COMPACT_PROTOCOL_ID = 0x82;

const C_TRUE = 1;
const C_FALSE = 2;
const C_BYTE = 3;
const C_I16 = 4;
const C_I32 = 5;
const C_I64 = 6;
const C_DOUBLE = 7;
const C_BINARY = 8;
const C_LIST = 9;
const C_SET = 10;
const C_MAP = 11;
const C_STRUCT = 12;
const C_UUID = 13;

/** Parses a compact message header at `pos` into `w`; returns the struct position. */
export function compactHeader(b: Uint8Array, w: Walk, pos: number): number {
  if (pos + 2 > b.length) return short(w, pos, pos + 2);
  if (b[pos] !== COMPACT_PROTOCOL_ID) {
    return fail(w, pos, `compact message starts "0x${b[pos].toString(16)}", not "0x82"`);
  }
  const versionAndType = b[pos + 1];
  if ((versionAndType & 0x1f) !== 1) {
    return fail(w, pos + 1, `unsupported compact protocol version "${versionAndType & 0x1f}"`);
  }
  w.type = versionAndType >> 5;
  w.strict = true;
  if (!messageTypeOk(w.type)) {
    return fail(w, pos + 1, `unknown message type "${w.type}" at byte "${pos + 1}"`);
  }
  let p = varint32(b, w, pos + 2);
  if (p < 0) return p;
  w.seqId = w.value | 0;
  p = varint32(b, w, p);
  if (p < 0) return p;
  if (w.value > 0x7fffffff) return fail(w, p, `method name length "${w.value}" is too large`);
  w.nameStart = p;
  w.nameEnd = p + w.value;
  return need(b, w, p, w.nameEnd);
}

/** Reads the id of the first field of the struct at `pos` into `w.firstField` (0: none). */
export function compactFirstField(b: Uint8Array, w: Walk, pos: number): number {
  if (pos >= b.length) return short(w, pos, pos + 1);
  const head = b[pos];
  const delta = head >> 4;
  if (head === 0 || delta !== 0) {
    w.firstField = delta;
    return pos;
  }
  const p = varint32(b, w, pos + 1);
  if (p < 0) return p;
  w.firstField = (w.value >>> 1) ^ -(w.value & 1);
  return pos;
}

/** Skips a struct at `pos` (fields until STOP); returns the position after it. */
export function skipCompactStruct(b: Uint8Array, w: Walk, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return fail(w, pos, `nesting passes the depth limit "${MAX_DEPTH}"`);
  for (;;) {
    if (pos >= b.length) return short(w, pos, pos + 1);
    const head = b[pos];
    if (head === 0) return pos + 1;
    const type = head & 0x0f;
    if (minSize(type) === 0) return fail(w, pos, `unknown compact type "${type}" at byte "${pos}"`);
    pos++;
    if (head >> 4 === 0) {
      pos = skipVarint(b, w, pos, 3);
      if (pos < 0) return pos;
    }
    // Boolean fields carry their value in the type nibble.
    if (type === C_TRUE || type === C_FALSE) continue;
    pos = skipCompact(b, w, pos, type, depth);
    if (pos < 0) return pos;
  }
}

/** Skips one container element (or field value) of compact type `type` at `pos`. */
export function skipCompact(
  b: Uint8Array,
  w: Walk,
  pos: number,
  type: number,
  depth: number,
): number {
  switch (type) {
    case C_TRUE:
    case C_FALSE:
    case C_BYTE:
      return need(b, w, pos, pos + 1);
    case C_DOUBLE:
      return need(b, w, pos, pos + 8);
    case C_UUID:
      return need(b, w, pos, pos + 16);
    case C_I16:
      return skipVarint(b, w, pos, 3);
    case C_I32:
      return skipVarint(b, w, pos, 5);
    case C_I64:
      return skipVarint(b, w, pos, 10);
    case C_BINARY: {
      const p = varint32(b, w, pos);
      if (p < 0) return p;
      return need(b, w, p, p + w.value);
    }
    case C_STRUCT:
      return skipCompactStruct(b, w, pos, depth + 1);
    case C_LIST:
    case C_SET:
      return skipList(b, w, pos, depth + 1);
    case C_MAP:
      return skipMap(b, w, pos, depth + 1);
    default:
      return fail(w, pos, `unknown compact type "${type}" at byte "${pos}"`);
  }
}

function skipList(b: Uint8Array, w: Walk, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return fail(w, pos, `nesting passes the depth limit "${MAX_DEPTH}"`);
  if (pos >= b.length) return short(w, pos, pos + 1);
  const head = b[pos];
  const type = head & 0x0f;
  let count = head >> 4;
  pos++;
  if (count === 15) {
    pos = varint32(b, w, pos);
    if (pos < 0) return pos;
    count = w.value;
  }
  if (minSize(type) === 0) return fail(w, pos - 1, `unknown element type "${type}"`);
  return skipElements(b, w, pos, type, count, depth);
}

function skipMap(b: Uint8Array, w: Walk, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return fail(w, pos, `nesting passes the depth limit "${MAX_DEPTH}"`);
  pos = varint32(b, w, pos);
  if (pos < 0) return pos;
  const count = w.value;
  if (count === 0) return pos;
  if (pos >= b.length) return short(w, pos, pos + 1);
  const keyType = b[pos] >> 4;
  const valueType = b[pos] & 0x0f;
  if (minSize(keyType) === 0 || minSize(valueType) === 0) {
    return fail(w, pos, `unknown map key or value type "${keyType}/${valueType}" at byte "${pos}"`);
  }
  pos++;
  // A bogus count is refused (or waited for) before walking a single entry.
  const least = pos + count * (minSize(keyType) + minSize(valueType));
  if (least > b.length) return short(w, pos, least);
  for (let i = 0; i < count; i++) {
    pos = skipCompact(b, w, pos, keyType, depth);
    if (pos < 0) return pos;
    pos = skipCompact(b, w, pos, valueType, depth);
    if (pos < 0) return pos;
  }
  return pos;
}

function skipElements(
  b: Uint8Array,
  w: Walk,
  pos: number,
  type: number,
  count: number,
  depth: number,
): number {
  const least = pos + count * minSize(type);
  if (least > b.length) return short(w, pos, least);
  if (type === C_BYTE || type === C_TRUE || type === C_FALSE) return least;
  if (type === C_DOUBLE || type === C_UUID) return least;
  for (let i = 0; i < count; i++) {
    pos = skipCompact(b, w, pos, type, depth);
    if (pos < 0) return pos;
  }
  return pos;
}

/** The fewest bytes an element of `type` takes; 0 for unknown types. */
function minSize(type: number): number {
  if (type === C_DOUBLE) return 8;
  if (type === C_UUID) return 16;
  return type >= C_TRUE && type <= C_UUID ? 1 : 0;
}
