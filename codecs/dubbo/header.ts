/**
 * The 16-byte Dubbo header (data-plane spec §5.1), big-endian:
 * magic `0xdabb` (u16) | flag (u8) | status (u8) | request id (i64) | body length (i32).
 *
 * @module
 */

import type { DecodeResult } from "../codec.ts";

/** Bytes in a Dubbo header. */
export const HEADER_SIZE = 16;
/** The Dubbo magic number. */
export const MAGIC = 0xdabb;
/** Flag bit: the frame is a request (else a response). */
export const FLAG_REQUEST = 0x80;
/** Flag bit: the request expects a response. */
export const FLAG_TWO_WAY = 0x40;
/** Flag bit: the frame is an event (a heartbeat). */
export const FLAG_EVENT = 0x20;
/** Flag bits holding the serialization id. */
export const SERIALIZATION_MASK = 0x1f;
/** The only serialization id supported: Hessian 2. */
export const HESSIAN2 = 2;

/** Response status OK; every other status reports a failure. */
export const STATUS_OK = 20;
/** Response status for a service the server does not export. */
export const STATUS_SERVICE_NOT_FOUND = 60;
/** Response status for a response the server could not write. */
export const STATUS_BAD_RESPONSE = 50;
/** Response status for any other server-side failure. */
export const STATUS_SERVER_ERROR = 80;

/** Every response status Dubbo defines (org.apache.dubbo.remoting.exchange.Response). */
const STATUSES = new Set([20, 30, 31, 40, 50, 60, 70, 80, 90, 100]);

/**
 * Checks the header at the start of `input`. Returns a `need-more` or `invalid` result, or
 * `undefined` when the whole frame is buffered (read it with {@link readBodyLength}). Bad
 * magic, serialization or status are reported as soon as their byte arrives; an oversized
 * body before any of it is buffered.
 */
export function checkHeader(input: Uint8Array, maxFrameSize: number): DecodeResult | undefined {
  const n = input.length;
  if (n >= 1 && (n < 2 ? input[0] !== MAGIC >> 8 : ((input[0] << 8) | input[1]) !== MAGIC)) {
    const magic = n < 2 ? hex(input[0], 2) + ".." : hex((input[0] << 8) | input[1], 4);
    return invalid(`magic is ${magic}, expected 0xdabb`, 0);
  }
  if (n >= 3 && (input[2] & SERIALIZATION_MASK) !== HESSIAN2) {
    const id = input[2] & SERIALIZATION_MASK;
    return invalid(`serialization id is ${id}, only 2 (Hessian 2) is supported`, 2);
  }
  if (n >= 4 && (input[2] & FLAG_REQUEST) === 0 && !STATUSES.has(input[3])) {
    return invalid(`response status ${input[3]} is not a Dubbo status`, 3);
  }
  if (n < HEADER_SIZE) return { kind: "need-more" };
  const bodyLength = readBodyLength(input);
  if (bodyLength < 0) return invalid(`body length is negative (${bodyLength})`, 12);
  const frameSize = HEADER_SIZE + bodyLength;
  if (frameSize > maxFrameSize) {
    return invalid(
      `frame of ${frameSize} bytes exceeds the limit of ${maxFrameSize} bytes (maxFrameSize)`,
      12,
    );
  }
  if (n < frameSize) return { kind: "need-more", frameSize };
  return undefined;
}

/** Reads the signed 32-bit body length at offset 12. */
export function readBodyLength(input: Uint8Array): number {
  return (input[12] << 24) | (input[13] << 16) | (input[14] << 8) | input[15];
}

/** Reads the high half (signed) of the 64-bit request id at offset 4. */
export function readIdHigh(input: Uint8Array): number {
  return (input[4] << 24) | (input[5] << 16) | (input[6] << 8) | input[7];
}

/** Reads the low half (unsigned) of the 64-bit request id at offset 4. */
export function readIdLow(input: Uint8Array): number {
  return ((input[8] << 24) | (input[9] << 16) | (input[10] << 8) | input[11]) >>> 0;
}

/** The signed 64-bit request id whose halves are `hi` (signed) and `lo` (unsigned). */
export function requestIdOf(hi: number, lo: number): bigint {
  // Ids below 2^53 (all of them, in practice) avoid the slower BigInt arithmetic.
  if (hi >= 0 && hi < 0x200000) return BigInt(hi * 0x100000000 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes a header into `out[0, 16)`. */
export function writeHeader(
  out: Uint8Array,
  flag: number,
  status: number,
  requestId: bigint,
  bodyLength: number,
): void {
  const view = new DataView(out.buffer, out.byteOffset, HEADER_SIZE);
  view.setUint16(0, MAGIC);
  view.setUint8(2, flag);
  view.setUint8(3, status);
  view.setBigInt64(4, BigInt.asIntN(64, requestId));
  view.setInt32(12, bodyLength);
}

function invalid(detail: string, offset: number): DecodeResult {
  return { kind: "invalid", reason: `Cannot decode Dubbo frame: ${detail}`, offset };
}

function hex(v: number, digits: number): string {
  return "0x" + v.toString(16).padStart(digits, "0");
}
