/**
 * A small protobuf wire-format reader and writer: just enough to walk the tRPC headers
 * without building objects. The reader never throws; the first problem it meets is kept in
 * `error` / `errorAt` and every later read returns 0.
 *
 * @module
 */

/** Protobuf wire types. */
export const VARINT = 0;
/** 64-bit fixed. */
export const I64 = 1;
/** Length-delimited: bytes, strings, messages, map entries. */
export const LEN = 2;
/** Deprecated group start. */
export const SGROUP = 3;
/** Deprecated group end. */
export const EGROUP = 4;
/** 32-bit fixed. */
export const I32 = 5;

/** Nesting limit for deprecated groups, so hostile input cannot recurse without bound. */
const MAX_GROUP_DEPTH = 32;

/** A cursor over `buf[pos, end)` that records the first problem instead of throwing. */
export class WireReader {
  /** The next byte to read. */
  pos: number;
  /** The first problem met, or `undefined`. */
  error: string | undefined;
  /** The absolute offset of that problem. */
  errorAt = 0;
  /** Whether the last varint did not fit in 32 bits (only its low 32 bits are returned). */
  overflow = false;

  /** One past the last byte to read; a caller may narrow it to walk a nested message. */
  end: number;

  constructor(readonly buf: Uint8Array, start: number, end: number) {
    this.end = end;
    this.pos = start;
  }

  /** Records `reason` at `at` unless a problem was already recorded; returns 0. */
  fail(reason: string, at: number): number {
    if (this.error === undefined) {
      this.error = reason;
      this.errorAt = at;
    }
    this.pos = this.end;
    return 0;
  }

  /** Whether unread bytes remain and nothing failed. */
  more(): boolean {
    return this.error === undefined && this.pos < this.end;
  }

  /** Reads a varint and returns its low 32 bits as an unsigned number. */
  varint(): number {
    const pos = this.pos;
    if (pos < this.end && this.buf[pos] < 0x80) {
      // Tags, lengths and small numbers: one byte, the common case.
      this.pos = pos + 1;
      this.overflow = false;
      return this.buf[pos];
    }
    return this.#longVarint();
  }

  #longVarint(): number {
    const { buf, end } = this;
    const start = this.pos;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      const at = start + i;
      if (at >= end) return this.fail("varint runs past the end of the header", start);
      const b = buf[at];
      if (i < 4) low |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        low |= (b & 0x0f) << 28;
        high |= b >> 4;
      } else high |= b & 0x7f;
      if (b < 0x80) {
        this.pos = at + 1;
        this.overflow = high !== 0;
        return low >>> 0;
      }
    }
    return this.fail("varint is longer than 10 bytes", start);
  }

  /** Reads a length prefix and checks that the bytes it announces are present. */
  length(): number {
    const at = this.pos;
    const len = this.varint();
    if (this.error !== undefined) return 0;
    if (this.overflow || len > this.end - this.pos) {
      return this.fail(`length ${this.overflow ? "(over 2^32)" : len} runs past the end`, at);
    }
    return len;
  }

  /** Skips the value of a field whose tag (already read at `tagAt`) has `wireType`. */
  skip(wireType: number, field: number, tagAt: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LEN) {
      const len = this.length(); // read first: it moves pos past the length prefix
      this.pos += len;
    } else if (wireType === I64 || wireType === I32) {
      const size = wireType === I64 ? 8 : 4;
      if (this.end - this.pos < size) this.fail(`field ${field} runs past the end`, tagAt);
      else this.pos += size;
    } else if (wireType === SGROUP) this.#skipGroup(field, tagAt);
    else this.fail(`field ${field} has wire type ${wireType}, which is not valid here`, tagAt);
  }

  /** Reads a tag; returns 0 (and fails) for field number 0. */
  tag(): number {
    const at = this.pos;
    const tag = this.varint();
    if (this.error === undefined && (tag >>> 3 === 0 || this.overflow)) {
      return this.fail(`tag 0x${tag.toString(16)} has no valid field number`, at);
    }
    return tag;
  }

  #skipGroup(field: number, tagAt: number): void {
    const open = [field];
    while (open.length > 0 && this.more()) {
      const at = this.pos;
      const tag = this.tag();
      const wt = tag & 7;
      if (wt === EGROUP) {
        if (tag >>> 3 !== open.pop()) this.fail(`group of field ${field} ends unevenly`, at);
      } else if (wt === SGROUP) {
        if (open.length >= MAX_GROUP_DEPTH) this.fail("groups nest too deeply", at);
        open.push(tag >>> 3);
      } else this.skip(wt, tag >>> 3, at);
    }
    if (open.length > 0) this.fail(`group of field ${field} is not closed`, tagAt);
  }
}

/** How many bytes `n` (an unsigned 32-bit value, or a negative int32) takes as a varint. */
export function varintSize(n: number): number {
  if (n < 0) return 10;
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes `n` as a varint at `pos` and returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, n: number): number {
  if (n < 0) {
    // An int32 below zero is sign-extended to 64 bits: 10 bytes.
    let low = n >>> 0;
    for (let i = 0; i < 4; i++) {
      out[pos++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    out[pos++] = (low & 0x0f) | 0x70 | 0x80;
    for (let i = 0; i < 4; i++) out[pos++] = 0xff;
    out[pos++] = 0x01;
    return pos;
  }
  while (n >= 0x80) {
    out[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

/** Size of a length-delimited field: tag, length prefix and `len` bytes. */
export function delimitedSize(field: number, len: number): number {
  return varintSize(field << 3) + varintSize(len) + len;
}

/** Writes the tag and length prefix of a length-delimited field; returns the position after. */
export function writeDelimitedHead(out: Uint8Array, pos: number, field: number, len: number) {
  pos = writeVarint(out, pos, (field << 3) | LEN);
  return writeVarint(out, pos, len);
}

const DECODER = new TextDecoder();

/** Strings longer than this go straight to TextDecoder, whose fixed cost then pays off. */
const SHORT_STRING = 128;

/** Decodes `buf[start, end)` as UTF-8 (invalid sequences become U+FFFD); never throws. */
export function utf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT_STRING) return DECODER.decode(buf.subarray(start, end));
  for (let i = start; i < end; i++) {
    if (buf[i] >= 0x80) return DECODER.decode(buf.subarray(start, end));
  }
  // ASCII: building from char codes beats TextDecoder's per-call cost on short strings.
  let s = "";
  let i = start;
  for (; i + 8 <= end; i += 8) {
    s += String.fromCharCode(
      buf[i],
      buf[i + 1],
      buf[i + 2],
      buf[i + 3],
      buf[i + 4],
      buf[i + 5],
      buf[i + 6],
      buf[i + 7],
    );
  }
  for (; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}
