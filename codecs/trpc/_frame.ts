/**
 * The 16-byte fixed header of every tRPC frame (data-plane spec §5.3), big-endian:
 * magic u16, data_frame_type u8, stream_frame_type u8, total frame size u32,
 * protobuf header size u16, stream id u32, 2 reserved bytes.
 *
 * @module
 */

import { allocBytes } from "../_bytes.ts";

/** `TRPC_MAGIC_VALUE`. */
export const MAGIC = 0x0930;
/** Size of the fixed header. */
export const FIXED_HEADER_SIZE = 16;
/** `TRPC_UNARY_FRAME`. */
export const UNARY_FRAME = 0;
/** `TRPC_STREAM_FRAME`. */
export const STREAM_FRAME = 1;
/** `TRPC_STREAM_FRAME_INIT`. */
export const STREAM_INIT = 1;
/** `TRPC_STREAM_FRAME_DATA`. */
export const STREAM_DATA = 2;
/** `TRPC_STREAM_FRAME_FEEDBACK`. */
export const STREAM_FEEDBACK = 3;
/** `TRPC_STREAM_FRAME_CLOSE`. */
export const STREAM_CLOSE = 4;
/** The largest protobuf header the u16 size field can announce. */
export const MAX_PB_HEADER_SIZE = 0xffff;
/** The largest frame the u32 size field can announce. */
export const MAX_FRAME_SIZE_FIELD = 0xffffffff;

/** Reads a big-endian u16 at `at`. */
export function u16(buf: Uint8Array, at: number): number {
  return (buf[at] << 8) | buf[at + 1];
}

/** Reads a big-endian u32 at `at`. */
export function u32(buf: Uint8Array, at: number): number {
  return ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}

/** Writes a big-endian u16 at `at`. */
export function putU16(buf: Uint8Array, at: number, n: number): void {
  buf[at] = n >>> 8;
  buf[at + 1] = n;
}

/** Writes a big-endian u32 at `at`. */
export function putU32(buf: Uint8Array, at: number, n: number): void {
  buf[at] = n >>> 24;
  buf[at + 1] = n >>> 16;
  buf[at + 2] = n >>> 8;
  buf[at + 3] = n;
}

/** The fields of a fixed header. */
export interface FixedHeader {
  readonly dataFrameType: number;
  readonly streamFrameType: number;
  readonly frameSize: number;
  readonly pbHeaderSize: number;
  readonly streamId: number;
}

/** Allocates a frame of `frameSize` bytes and writes its fixed header. */
export function newFrame(h: FixedHeader): Uint8Array {
  const out = allocBytes(h.frameSize);
  putU16(out, 0, MAGIC);
  out[2] = h.dataFrameType;
  out[3] = h.streamFrameType;
  putU32(out, 4, h.frameSize);
  putU16(out, 8, h.pbHeaderSize);
  putU32(out, 10, h.streamId);
  return out;
}

function hex(n: number, digits: number): string {
  return "0x" + n.toString(16).padStart(digits, "0");
}

/**
 * Checks whatever part of the fixed header `input` already holds, so garbage is rejected
 * as early as possible. Returns a problem and its offset, or `undefined` if nothing is wrong
 * so far. `maxFrameSize` is checked as soon as the size field is complete.
 */
export function checkFixedHeader(
  input: Uint8Array,
  maxFrameSize: number,
): { reason: string; offset: number } | undefined {
  const n = input.length;
  if (n >= 1 && input[0] !== MAGIC >>> 8) {
    const seen = n >= 2 ? hex(u16(input, 0), 4) : `${hex(input[0], 2)}..`;
    return { reason: `magic is ${seen}, expected ${hex(MAGIC, 4)}`, offset: 0 };
  }
  if (n >= 2 && input[1] !== (MAGIC & 0xff)) {
    return { reason: `magic is ${hex(u16(input, 0), 4)}, expected ${hex(MAGIC, 4)}`, offset: 0 };
  }
  if (n >= 3 && input[2] > STREAM_FRAME) {
    return {
      reason: `data frame type is ${input[2]}, expected 0 (unary) or 1 (stream)`,
      offset: 2,
    };
  }
  if (n >= 4) {
    const t = input[3];
    if (input[2] === UNARY_FRAME && t !== 0) {
      return { reason: `stream frame type of a unary frame is ${t}, expected 0`, offset: 3 };
    }
    if (input[2] === STREAM_FRAME && (t < STREAM_INIT || t > STREAM_CLOSE)) {
      return { reason: `stream frame type is ${t}, expected 1 to 4`, offset: 3 };
    }
  }
  if (n >= 8) {
    const size = u32(input, 4);
    if (size < FIXED_HEADER_SIZE) {
      return { reason: `frame size is ${size} bytes, below the 16-byte fixed header`, offset: 4 };
    }
    if (size > maxFrameSize) {
      return {
        reason: `frame size is ${size} bytes, above the limit of ${maxFrameSize} bytes`,
        offset: 4,
      };
    }
    if (n >= 10 && FIXED_HEADER_SIZE + u16(input, 8) > size) {
      const pb = u16(input, 8);
      return { reason: `protobuf header size ${pb} does not fit in frame size ${size}`, offset: 8 };
    }
  }
  return undefined;
}
