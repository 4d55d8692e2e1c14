/**
 * Request-id (seqid) rewriting for multiplexing: binary seqids are 4 fixed bytes, changed in
 * place; compact seqids are varints, changed in place when the new value fits (padded),
 * else spliced with the frame length fixed. A THeader frame's own sequence number is set to
 * the same value.
 *
 * @module
 */
import type { Message } from "../codec.ts";
import { spliceVarint, varintEnd, writePaddedVarint } from "../_varint.ts";
import type { ThriftDetail } from "./thrift_codec.ts";

function putI32(b: Uint8Array, pos: number, v: number): void {
  b[pos] = v >>> 24;
  b[pos + 1] = v >>> 16;
  b[pos + 2] = v >>> 8;
  b[pos + 3] = v;
}

function readI32(b: Uint8Array, pos: number): number {
  return (b[pos] << 24 | b[pos + 1] << 16 | b[pos + 2] << 8 | b[pos + 3]) | 0;
}

/** See the module doc; `detail` is the message's Thrift detail. */
export function rewriteThriftSeqId(
  message: Message,
  detail: ThriftDetail,
  id: bigint,
): Uint8Array | undefined {
  if (id < 0n || id > 0xffffffffn) return undefined;
  const seq = Number(id) | 0;
  const frame = message.frame;
  const p = detail.payloadOffset;
  let out = frame;
  if (detail.protocol === "binary") {
    const at = detail.strict ? p + 8 + readI32(frame, p + 4) : p + 4 + readI32(frame, p) + 1;
    if (at < p || at + 4 > frame.length) return undefined;
    putI32(frame, at, seq);
  } else {
    const start = p + 2;
    const end = varintEnd(frame, start, frame.length);
    if (end < 0) return undefined;
    if (!writePaddedVarint(frame, start, end - start, seq >>> 0)) {
      out = spliceVarint(frame, start, end, seq >>> 0);
      if (detail.transport !== "unframed") putI32(out, 0, out.length - 4);
    }
  }
  if (detail.transport === "header") putI32(out, 8, seq);
  return out;
}
