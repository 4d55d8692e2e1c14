/**
 * Writing bRPC frames: mutations as `user_fields` entries, error replies, request-id
 * (`correlation_id`) rewrites.
 *
 * @module
 */
import type { CodecError, EncodeResult, ErrorType, Message, Mutation } from "../codec.ts";
import { allocBytes, copyBytes, utf8Length, writeUtf8 } from "../_bytes.ts";
import { varintSize } from "../_varint.ts";
import { HEADER_SIZE, isBrpcDetail, MAGIC, RESERVED_KEYS } from "./_decode.ts";

/** brpc's `ENOSERVICE` (`brpc/errno.proto`): service not found. */
export const BRPC_ENOSERVICE = 1001;
/** brpc's `EINTERNAL`: internal server error. */
export const BRPC_EINTERNAL = 2001;
/** brpc's `ELIMIT`: reached the server's limit on resources. */
export const BRPC_ELIMIT = 2004;

/** The brpc error code an error reply carries for each proxy error. */
export function brpcErrorCode(type: ErrorType): number {
  if (type === "RouteNotFound" || type === "ClusterNotFound") return BRPC_ENOSERVICE;
  if (type === "OverLimit") return BRPC_ELIMIT;
  return BRPC_EINTERNAL;
}

const MAX_U64 = (1n << 64n) - 1n;

function bigVarintSize(v: bigint): number {
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

/** Writes `v` as a varint of exactly `size` bytes (padded with continuation bytes). */
function writeBigVarint(out: Uint8Array, at: number, size: number, v: bigint): number {
  for (let i = 0; i < size; i++) {
    const group = Number(v & 0x7fn);
    v >>= 7n;
    out[at + i] = i === size - 1 ? group : group | 0x80;
  }
  return at + size;
}

function writeVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

function writeHeader(out: Uint8Array, bodySize: number, metaSize: number): void {
  out.set(MAGIC, 0);
  new DataView(out.buffer, out.byteOffset, 12).setUint32(4, bodySize);
  new DataView(out.buffer, out.byteOffset, 12).setUint32(8, metaSize);
}

/**
 * A copy of `frame` with `insert` bytes written by `fill` at `[at, at + removed)` of the
 * meta, and body_size and meta_size grown to match.
 */
function spliceMeta(
  frame: Uint8Array,
  metaSize: number,
  span: { at: number; removed: number; inserted: number },
  fill: (out: Uint8Array, at: number) => void,
): Uint8Array {
  const delta = span.inserted - span.removed;
  const out = allocBytes(frame.length + delta);
  writeHeader(out, frame.length - HEADER_SIZE + delta, metaSize + delta);
  copyBytes(out, HEADER_SIZE, frame, HEADER_SIZE, span.at);
  fill(out, span.at);
  copyBytes(out, span.at + span.inserted, frame, span.at + span.removed, frame.length);
  return out;
}

/** Writes `mutation` into `message` as `user_fields` entries (see `brpcCodec`). */
export function encodeBrpc(message: Message, mutation: Mutation): EncodeResult {
  const detail = message.detail;
  if (!isBrpcDetail(detail)) {
    return { kind: "unsupported", reason: "Encode only messages the bRPC codec decoded" };
  }
  let size = 0;
  let changes = false;
  for (const [key, value] of mutation) {
    if (RESERVED_KEYS.has(key.toLowerCase())) {
      return {
        kind: "unsupported",
        reason:
          `Rename the mutation key "${key}": bRPC carries it in RpcRequestMeta, not user_fields`,
      };
    }
    if (message.metadata.get(key.toLowerCase()) !== value) changes = true;
    const entry = entrySize(key, value);
    size += 1 + varintSize(entry) + entry;
  }
  if (!changes) return { kind: "ok", bytes: message.frame };
  const at = HEADER_SIZE + detail.metaSize;
  const bytes = spliceMeta(
    message.frame,
    detail.metaSize,
    { at, removed: 0, inserted: size },
    (o, p) => {
      for (const [key, value] of mutation) {
        o[p++] = 0x4a; // user_fields = 9, length-delimited
        p = writeVarint(o, p, entrySize(key, value));
        p = writeString(o, p, 0x0a, key);
        p = writeString(o, p, 0x12, value);
      }
    },
  );
  return { kind: "ok", bytes };
}

function entrySize(key: string, value: string): number {
  const k = utf8Length(key);
  const v = utf8Length(value);
  return 1 + varintSize(k) + k + 1 + varintSize(v) + v;
}

function writeString(out: Uint8Array, at: number, tag: number, s: string): number {
  out[at++] = tag;
  at = writeVarint(out, at, utf8Length(s));
  return writeUtf8(s, out, at);
}

/**
 * A bRPC response to `request` whose `RpcResponseMeta` carries the brpc error code of
 * `error.type` and `error.message` as error_text, with the request's correlation_id and
 * an empty payload.
 */
export function errorReplyBrpc(request: Message, error: CodecError): Uint8Array {
  const code = brpcErrorCode(error.type);
  const text = utf8Length(error.message);
  const response = 1 + varintSize(code) + 1 + varintSize(text) + text;
  const id = request.requestId >= 0n && request.requestId <= MAX_U64 ? request.requestId : 0n;
  const meta = 1 + varintSize(response) + response + 1 + bigVarintSize(id);
  const out = allocBytes(HEADER_SIZE + meta);
  writeHeader(out, meta, meta);
  let p = HEADER_SIZE;
  out[p++] = 0x12; // response = 2
  p = writeVarint(out, p, response);
  out[p++] = 0x08; // error_code = 1
  p = writeVarint(out, p, code);
  p = writeString(out, p, 0x12, error.message); // error_text = 2
  out[p++] = 0x20; // correlation_id = 4
  writeBigVarint(out, p, bigVarintSize(id), id);
  return out;
}

/**
 * `message`'s frame with correlation_id `id`: in place when the new varint fits the old
 * one's bytes, otherwise a copy with both sizes fixed (the field is appended to the meta
 * when the frame had none).
 */
export function rewriteBrpcRequestId(message: Message, id: bigint): Uint8Array | undefined {
  const detail = message.detail;
  if (!isBrpcDetail(detail) || id < 0n || id > MAX_U64) return undefined;
  const { idStart, idEnd } = detail.facts;
  const frame = message.frame;
  const need = bigVarintSize(id);
  if (idStart >= 0 && need <= idEnd - idStart) {
    writeBigVarint(frame, idStart, idEnd - idStart, id);
    return frame;
  }
  if (idStart >= 0) {
    const span = { at: idStart, removed: idEnd - idStart, inserted: need };
    return spliceMeta(frame, detail.metaSize, span, (o, p) => writeBigVarint(o, p, need, id));
  }
  const span = { at: HEADER_SIZE + detail.metaSize, removed: 0, inserted: 1 + need };
  return spliceMeta(frame, detail.metaSize, span, (o, p) => {
    o[p] = 0x20;
    writeBigVarint(o, p + 1, need, id);
  });
}
