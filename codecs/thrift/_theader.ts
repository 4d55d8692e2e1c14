/**
 * THeader (Thrift "header" transport): reading the header of a complete frame and writing
 * a new one around a payload.
 *
 * Layout: i32 frame length, u16 magic `0x0FFF`, u16 flags, i32 sequence number, u16 header
 * size in 32-bit words, then the header (varint protocol id, varint transform count and
 * transform ids, info blocks, zero padding) and the payload. Info block type 1 holds
 * per-message key/value strings, type 2 persistent ones; each is a varint count of
 * varint-length-prefixed key and value strings. An unknown info type ends the info blocks
 * (its length cannot be known); the payload still starts at the declared header size.
 *
 * @module
 */
import { allocBytes, copyBytes } from "../_bytes.ts";
import { fail, i16, i32, newWalk, text, varint32, type Walk } from "./_wire.ts";

/** Payload protocol ids. */
export const PROTOCOL_BINARY = 0;
export const PROTOCOL_COMPACT = 2;

const INFO_KEYVALUE = 1;
const INFO_PKEYVALUE = 2;
const FIXED = 14;
const MAX_HEADER_BYTES = 0xffff * 4;

/** One info header: key, value and whether it came from the persistent block. */
export type InfoHeader = readonly [key: string, value: string, persistent: boolean];

/**
 * Reads the THeader of the complete frame `f`, calling `onHeader` for every info header.
 * Returns the payload offset and sets `w.value` to the protocol id; or invalid.
 */
export function readTHeader(
  f: Uint8Array,
  w: Walk,
  onHeader: (key: string, value: string, persistent: boolean) => void,
): number {
  if (f.length < FIXED) {
    return fail(w, 0, `THeader frame of "${f.length}" bytes is shorter than its fixed header`);
  }
  const end = FIXED + (f[12] << 8 | f[13]) * 4;
  if (end > f.length) {
    return fail(w, 12, `THeader size "${end - FIXED}" runs past the frame end "${f.length}"`);
  }
  const h = f.subarray(0, end);
  const hw = newWalk(end, true);
  let pos = varint32(h, hw, FIXED);
  if (pos < 0) return copyFault(w, hw);
  const protocolId = hw.value;
  if (protocolId !== PROTOCOL_BINARY && protocolId !== PROTOCOL_COMPACT) {
    return fail(w, FIXED, `THeader protocol id "${protocolId}" is not supported`);
  }
  pos = varint32(h, hw, pos);
  if (pos < 0) return copyFault(w, hw);
  if (hw.value !== 0) {
    return fail(w, pos - 1, `THeader transforms ("${hw.value}") are not supported`);
  }
  while (pos < end) {
    pos = varint32(h, hw, pos);
    if (pos < 0) return copyFault(w, hw);
    const type: number = hw.value;
    if (type !== INFO_KEYVALUE && type !== INFO_PKEYVALUE) break;
    pos = readInfo(h, hw, pos, type === INFO_PKEYVALUE, onHeader);
    if (pos < 0) return copyFault(w, hw);
  }
  w.value = protocolId;
  return end;
}

function readInfo(
  h: Uint8Array,
  w: Walk,
  pos: number,
  persistent: boolean,
  onHeader: (key: string, value: string, persistent: boolean) => void,
): number {
  pos = varint32(h, w, pos);
  if (pos < 0) return pos;
  const count = w.value;
  if (count * 2 > h.length - pos) {
    return fail(w, pos, `THeader info count "${count}" does not fit in the header`);
  }
  for (let i = 0; i < count; i++) {
    pos = varint32(h, w, pos);
    if (pos < 0) return pos;
    const keyEnd = pos + w.value;
    if (keyEnd > h.length) return fail(w, pos, `THeader key runs past the header end`);
    const key = text(h, pos, keyEnd);
    pos = varint32(h, w, keyEnd);
    if (pos < 0) return pos;
    const valueEnd = pos + w.value;
    if (valueEnd > h.length) return fail(w, pos, `THeader value runs past the header end`);
    onHeader(key, text(h, pos, valueEnd), persistent);
    pos = valueEnd;
  }
  return pos;
}

function copyFault(to: Walk, from: Walk): number {
  return fail(to, from.offset, from.reason.replace("Cannot decode Thrift message: ", ""));
}

/** The fixed fields a new THeader frame copies from the one it answers or replaces. */
export interface THeaderFields {
  readonly flags: number;
  readonly seqId: number;
  readonly protocolId: number;
}

/** Reads the flags and sequence number of the THeader frame `f` (at least 14 bytes). */
export function theaderFields(f: Uint8Array, protocolId: number): THeaderFields {
  return { flags: i16(f, 6) & 0xffff, seqId: i32(f, 8), protocolId };
}

const encoder = new TextEncoder();

/**
 * Writes a THeader frame around `payload` with the given info headers (type-1 headers
 * first, since some readers stop at the first block of another type). Returns a reason
 * string when the header would not fit in its 16-bit word count.
 */
export function writeTHeader(
  fields: THeaderFields,
  headers: readonly InfoHeader[],
  payload: Uint8Array,
): Uint8Array | string {
  const section: number[] = [];
  pushVarint(section, fields.protocolId);
  pushVarint(section, 0);
  for (const persistent of [false, true]) {
    const group = headers.filter((e) => e[2] === persistent);
    if (group.length === 0) continue;
    pushVarint(section, persistent ? INFO_PKEYVALUE : INFO_KEYVALUE);
    pushVarint(section, group.length);
    for (const [key, value] of group) {
      pushString(section, key);
      pushString(section, value);
    }
  }
  while (section.length % 4 !== 0) section.push(0);
  if (section.length > MAX_HEADER_BYTES) {
    return `THeader headers of "${section.length}" bytes do not fit the 16-bit header size`;
  }
  const out = allocBytes(FIXED + section.length + payload.length);
  const view = new DataView(out.buffer, out.byteOffset, FIXED);
  view.setInt32(0, out.length - 4);
  view.setUint16(4, 0x0fff);
  view.setUint16(6, fields.flags);
  view.setInt32(8, fields.seqId);
  view.setUint16(12, section.length / 4);
  out.set(section, FIXED);
  copyBytes(out, FIXED + section.length, payload, 0, payload.length);
  return out;
}

/** Appends an unsigned varint. */
export function pushVarint(out: number[], value: number): void {
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function pushString(out: number[], s: string): void {
  const bytes = encoder.encode(s);
  pushVarint(out, bytes.length);
  for (const b of bytes) out.push(b);
}
