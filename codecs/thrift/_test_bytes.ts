/**
 * Test helper: hand-built Thrift bytes for cases a library never writes (persistent THeader
 * headers, transforms, hostile sizes).
 *
 * @module
 */

type Part = number | readonly number[] | Uint8Array;

/** Concatenates bytes, byte arrays and numbers (each number one byte). */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

/** A big-endian i32. */
export function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** A big-endian i16. */
export function be16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

/** A binary-protocol string: i32 length and UTF-8 bytes. */
export function bstr(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...be32(b.length), ...b];
}

/** An unsigned varint. */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A compact-protocol string: varint length and UTF-8 bytes. */
export function cstr(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...varint(b.length), ...b];
}

/** Prefixes a 4-byte frame length. */
export function framed(payload: Uint8Array): Uint8Array {
  return bytes(be32(payload.length), payload);
}

/** A strict binary message header: version|type, name, seqid. */
export function strictHeader(name: string, type: number, seqid: number): number[] {
  return [0x80, 0x01, 0, type, ...bstr(name), ...be32(seqid)];
}

/** An old-style binary message header: name, type byte, seqid. */
export function laxHeader(name: string, type: number, seqid: number): number[] {
  return [...bstr(name), type, ...be32(seqid)];
}

/** A compact message header. */
export function compactHeader(name: string, type: number, seqid: number): number[] {
  return [0x82, (type << 5) | 1, ...varint(seqid >>> 0), ...cstr(name)];
}

/** One THeader info block: type and key/value pairs. */
export type InfoBlock = readonly [type: number, pairs: readonly (readonly [string, string])[]];

/** A THeader frame around `payload`, with explicit protocol id, transforms and info blocks. */
export function theader(options: {
  payload: Uint8Array;
  protocolId?: number;
  transforms?: readonly number[];
  info?: readonly InfoBlock[];
  flags?: number;
  seqId?: number;
  extra?: readonly number[];
}): Uint8Array {
  const section: number[] = [...varint(options.protocolId ?? 0)];
  const transforms = options.transforms ?? [];
  section.push(...varint(transforms.length));
  for (const t of transforms) section.push(...varint(t));
  for (const [type, pairs] of options.info ?? []) {
    section.push(...varint(type), ...varint(pairs.length));
    for (const [k, v] of pairs) section.push(...cstr(k), ...cstr(v));
  }
  section.push(...(options.extra ?? []));
  while (section.length % 4 !== 0) section.push(0);
  const rest = bytes(
    0x0f,
    0xff,
    be16(options.flags ?? 0),
    be32(options.seqId ?? 0),
    be16(section.length / 4),
    section,
    options.payload,
  );
  return framed(rest);
}
