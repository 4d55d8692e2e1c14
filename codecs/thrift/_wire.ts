/**
 * Shared wire facts and byte helpers for the Thrift codec: type ids, message types, the
 * walk state every parser writes into, and allocation-free readers.
 *
 * Parsers return a byte position (≥ 0) on success, or {@link NEED_MORE} / {@link INVALID};
 * on `INVALID` the reason and offset are in the {@link Walk}.
 *
 * @module
 */

/** The input ends before the message does, and the message may still be valid. */
export const NEED_MORE = -1;
/** The bytes cannot be a Thrift message; see `Walk.reason` and `Walk.offset`. */
export const INVALID = -2;

/** The deepest struct/container nesting we walk before calling the input hostile. */
export const MAX_DEPTH = 64;

/** Thrift message types (TMessageType). */
export const CALL = 1;
export const REPLY = 2;
export const EXCEPTION = 3;
export const ONEWAY = 4;

/** Binary-protocol field types (TType). */
export const T_STOP = 0;
export const T_BOOL = 2;
export const T_BYTE = 3;
export const T_DOUBLE = 4;
export const T_I16 = 6;
export const T_I32 = 8;
export const T_I64 = 10;
export const T_STRING = 11;
export const T_STRUCT = 12;
export const T_MAP = 13;
export const T_SET = 14;
export const T_LIST = 15;
export const T_UUID = 16;

/**
 * Mutable state of one decode call: the parsed message header and the fault, if any.
 * One is allocated per decode call, never inside the walkers.
 */
export interface Walk {
  /** The end of the bytes a parser may use: the frame end, or the frame-size limit. */
  limit: number;
  /** Whether `limit` is a frame end (framed, header) rather than the size limit (unframed). */
  framed: boolean;
  /** The last varint read. */
  value: number;
  /** The message type (1–4). */
  type: number;
  /** The message seqid as a signed 32-bit integer. */
  seqId: number;
  /** Where the method name starts and ends. */
  nameStart: number;
  nameEnd: number;
  /** Binary protocol: whether the message header was strict (versioned). */
  strict: boolean;
  /** Reply messages: the id of the result struct's first field, or 0 for none. */
  firstField: number;
  /** Why the bytes are invalid. */
  reason: string;
  /** Where the problem was found, counted from the frame start. */
  offset: number;
}

/** A fresh walk over bytes that may not pass `limit`. */
export function newWalk(limit: number, framed: boolean): Walk {
  return {
    limit,
    framed,
    value: 0,
    type: 0,
    seqId: 0,
    nameStart: 0,
    nameEnd: 0,
    strict: true,
    firstField: 0,
    reason: "",
    offset: 0,
  };
}

/** Records a fault and returns {@link INVALID}. */
export function fail(w: Walk, offset: number, detail: string): number {
  w.reason = `Cannot decode Thrift message: ${detail}`;
  w.offset = offset;
  return INVALID;
}

/**
 * What to return when a read needs bytes up to `end` that the input lacks: need-more while
 * the message may still fit in the limit, invalid once it cannot.
 */
export function short(w: Walk, at: number, end: number): number {
  if (end <= w.limit) return NEED_MORE;
  if (w.framed) {
    return fail(
      w,
      at,
      `data at byte "${at}" runs to byte "${end}", past the frame end "${w.limit}"`,
    );
  }
  return fail(w, at, `message passes the frame-size limit "${w.limit}" without ending`);
}

/** `end` if the input holds bytes up to it, otherwise need-more or invalid. */
export function need(b: Uint8Array, w: Walk, at: number, end: number): number {
  return end <= b.length ? end : short(w, at, end);
}

/** The big-endian signed 32-bit integer at `pos` (the caller checked the bounds). */
export function i32(b: Uint8Array, pos: number): number {
  return (b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
}

/** The big-endian signed 16-bit integer at `pos` (the caller checked the bounds). */
export function i16(b: Uint8Array, pos: number): number {
  return ((b[pos] << 24) | (b[pos + 1] << 16)) >> 16;
}

/**
 * Reads an unsigned varint of at most 32 bits at `pos` into `w.value`; returns the position
 * after it, need-more or invalid.
 */
export function varint32(b: Uint8Array, w: Walk, pos: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const at = pos + i;
    if (at >= b.length) return short(w, at, at + 1);
    const byte = b[at];
    if (i === 4 && byte > 0x0f) return fail(w, pos, `varint at byte "${pos}" overflows 32 bits`);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      w.value = value;
      return at + 1;
    }
    scale *= 128;
  }
  return fail(w, pos, `varint at byte "${pos}" overflows 32 bits`);
}

/** Skips a varint of at most `maxBytes` bytes; returns the position after it. */
export function skipVarint(b: Uint8Array, w: Walk, pos: number, maxBytes: number): number {
  for (let i = 0; i < maxBytes; i++) {
    const at = pos + i;
    if (at >= b.length) return short(w, at, at + 1);
    if (b[at] < 0x80) return at + 1;
  }
  return fail(w, pos, `varint at byte "${pos}" is longer than "${maxBytes}" bytes`);
}

// A leading U+FEFF is text, not a byte-order mark to drop.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decodes UTF-8 text in `b[start, end)`, with a copy-free fast path for short ASCII. */
export function text(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 48) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return utf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}

/** Formats the first bytes of `b` for an error message: `0x12 0x34 …`. */
export function hexStart(b: Uint8Array, count = 8): string {
  const shown = Array.from(b.subarray(0, count), (x) => "0x" + x.toString(16).padStart(2, "0"));
  return shown.join(" ") + (b.length > count ? " …" : "");
}

/** Whether `type` is one of the four Thrift message types. */
export function messageTypeOk(type: number): boolean {
  return type >= CALL && type <= ONEWAY;
}
