/**
 * Request-id rewriting for multiplexing: `request_id` (field 3, a varint) of a unary
 * request or response header is changed in place when the new value fits the bytes of the
 * old one (padded varint), otherwise the header is spliced (or the field appended when it
 * was absent, i.e. 0) and both sizes in the fixed header are fixed.
 *
 * @module
 */
import type { Message } from "../codec.ts";
import { allocBytes, copyBytes } from "../_bytes.ts";
import { spliceVarint, varintEnd, varintSize, writePaddedVarint } from "../_varint.ts";
import { putU16, putU32, u16 } from "./_frame.ts";
import type { TrpcDetail } from "./_decode.ts";

const FIXED = 16;
const REQUEST_ID_TAG = 3 << 3; // field 3, wire type varint

/** Where field 3's value is in the header, as [start, end), or undefined; -1 if malformed. */
function findRequestId(
  b: Uint8Array,
  start: number,
  end: number,
): [number, number] | undefined | -1 {
  let p = start;
  while (p < end) {
    const tagEnd = varintEnd(b, p, end);
    if (tagEnd < 0 || tagEnd - p > 2) return -1;
    const tag = tagEnd - p === 1 ? b[p] : (b[p] & 0x7f) | (b[p + 1] << 7);
    p = tagEnd;
    const wire = tag & 7;
    if (wire === 0) {
      const vEnd = varintEnd(b, p, end);
      if (vEnd < 0) return -1;
      if (tag === REQUEST_ID_TAG) return [p, vEnd];
      p = vEnd;
    } else if (wire === 2) {
      const lEnd = varintEnd(b, p, end);
      if (lEnd < 0) return -1;
      let len = 0;
      for (let i = lEnd - 1; i >= p; i--) len = len * 128 + (b[i] & 0x7f);
      p = lEnd + len;
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else return -1;
  }
  return p === end ? undefined : -1;
}

/** See the module doc. */
export function rewriteTrpcRequestId(
  message: Message,
  detail: TrpcDetail,
  id: bigint,
): Uint8Array | undefined {
  if (detail.stream || id < 0n || id > 0xffffffffn) return undefined;
  const frame = message.frame;
  const value = Number(id);
  const pbEnd = FIXED + detail.pbHeaderSize;
  if (pbEnd > frame.length) return undefined;
  const at = findRequestId(frame, FIXED, pbEnd);
  if (at === -1) return undefined;
  let out: Uint8Array;
  if (at === undefined) {
    // Absent means 0: append the field at the end of the header.
    const size = 1 + varintSize(value);
    out = allocBytes(frame.length + size);
    copyBytes(out, 0, frame, 0, pbEnd);
    out[pbEnd] = REQUEST_ID_TAG;
    writePaddedVarint(out, pbEnd + 1, size - 1, value);
    copyBytes(out, pbEnd + size, frame, pbEnd, frame.length);
  } else {
    const [start, end] = at;
    if (writePaddedVarint(frame, start, end - start, value)) return frame;
    out = spliceVarint(frame, start, end, value);
  }
  const grown = out.length - frame.length;
  if (u16(frame, 8) + grown > 0xffff) return undefined;
  putU16(out, 8, u16(frame, 8) + grown);
  putU32(out, 4, out.length);
  return out;
}
