/**
 * A minimal DER (ASN.1) writer: just the types an X.509 certificate needs.
 *
 * @module
 */

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One TLV with the given tag and content. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...length(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SEQUENCE of the given elements. */
export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, concat(items));
}

/** SET of the given elements (callers pass them in DER order). */
export function set(...items: Uint8Array[]): Uint8Array {
  return tlv(0x31, concat(items));
}

/** Context-specific constructed (explicit) tag `[n]`. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 + n, inner);
}

/** INTEGER from unsigned big-endian bytes (a leading zero is added when the top bit is set). */
export function integer(bytes: Uint8Array | number): Uint8Array {
  let b = typeof bytes === "number" ? smallInt(bytes) : bytes;
  let start = 0;
  while (start < b.length - 1 && b[start] === 0 && (b[start + 1] & 0x80) === 0) start++;
  b = b.subarray(start);
  return tlv(0x02, (b[0] & 0x80) !== 0 ? concat([new Uint8Array([0]), b]) : b);
}

function smallInt(n: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return new Uint8Array(bytes.length === 0 ? [0] : bytes);
}

/** BOOLEAN. */
export function boolean(value: boolean): Uint8Array {
  return tlv(0x01, new Uint8Array([value ? 0xff : 0]));
}

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      chunk.unshift(0x80 | (v & 0x7f));
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

/** OCTET STRING. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(0x04, bytes);
}

/** BIT STRING with no unused bits. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(0x03, concat([new Uint8Array([0]), bytes]));
}

/** BIT STRING of named bits (bit 0 is the most significant bit of the first byte). */
export function namedBits(bits: readonly number[]): Uint8Array {
  const top = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(top / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  const unused = 7 - (top % 8);
  return tlv(0x03, concat([new Uint8Array([unused]), bytes]));
}

/** UTF8String. */
export function utf8(text: string): Uint8Array {
  return tlv(0x0c, new TextEncoder().encode(text));
}

/** A string tagged `tag` holding ASCII `text` (IA5String 0x16, context `[2]` 0x82 ...). */
export function ascii(tag: number, text: string): Uint8Array {
  return tlv(tag, new TextEncoder().encode(text));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2026-12-02T05:20:00.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z"; // 20261202052000Z
  const year = date.getUTCFullYear();
  return year < 2050 && year >= 1950 ? ascii(0x17, digits.slice(2)) : ascii(0x18, digits);
}

/** NULL. */
export function nul(): Uint8Array {
  return new Uint8Array([0x05, 0x00]);
}

/** One element read by {@link readTlv}: its tag, content bounds and where the next begins. */
export interface Tlv {
  readonly offset: number;
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Reads the element at `offset`; undefined when the bytes are not DER. */
export function readTlv(bytes: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const tag = bytes[offset];
  let len = bytes[offset + 1];
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > bytes.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[start + i];
    start += n;
  }
  const end = start + len;
  return end <= bytes.length ? { offset, tag, start, end } : undefined;
}

/** The elements inside a constructed element. */
export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const child = readTlv(bytes, at);
    if (!child) break;
    out.push(child);
    at = child.end;
  }
  return out;
}
