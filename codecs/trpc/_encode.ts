/**
 * tRPC encoding: mutations written into `trans_info` of a unary header (every other field
 * copied byte for byte), and the error replies the proxy sends in the client's name.
 *
 * @module
 */
import { allocBytes, copyBytes, utf8Length, writeUtf8 } from "../_bytes.ts";
import type { CodecError, EncodeResult, Message, Mutation } from "../codec.ts";
import { isTrpcDetail } from "./_decode.ts";
import {
  FIXED_HEADER_SIZE,
  MAX_FRAME_SIZE_FIELD,
  MAX_PB_HEADER_SIZE,
  newFrame,
  putU16,
  putU32,
  STREAM_FRAME,
  STREAM_INIT,
  UNARY_FRAME,
} from "./_frame.ts";
import { entryRanges } from "./_pb_header.ts";
import { matchAsciiKey } from "../_lazy_metadata.ts";
import {
  delimitedSize,
  LEN,
  utf8,
  varintSize,
  WireReader,
  writeDelimitedHead,
  writeVarint,
} from "./_wire.ts";

const ENCODER = new TextEncoder();

/** `TRPC_SERVER_NOSERVICE_ERR`, sent when no route matches. */
export const TRPC_NO_SERVICE_ERR = 11;
/** `TRPC_SERVER_SYSTEM_ERR`, sent for every other proxy error. */
export const TRPC_SYSTEM_ERR = 31;

function unsupported(reason: string): EncodeResult {
  return { kind: "unsupported", reason: `Cannot write mutation into tRPC frame: ${reason}` };
}

/** Writes `mutation` into the `trans_info` map of a unary frame's protobuf header. */
export function encodeTrpc(message: Message, mutation: Mutation): EncodeResult {
  if (mutation.size === 0) return { kind: "ok", bytes: message.frame };
  const detail = message.detail;
  if (!isTrpcDetail(detail)) return unsupported("message was not decoded by the tRPC codec");
  if (detail.stream) return unsupported(`stream frames carry no headers to mutate`);
  const frame = message.frame;
  const pbEnd = FIXED_HEADER_SIZE + detail.pbHeaderSize;
  const transField = detail.side === "response" ? 8 : 9;
  const plan = planHeader(frame, pbEnd, transField, mutation);
  if (plan === undefined) return unsupported("protobuf header is malformed");
  if (plan.unchanged) return { kind: "ok", bytes: frame };
  // Each entry: key, value and their UTF-8 lengths.
  const entries = [...mutation].map(([k, v]) => [k, v, utf8Length(k), utf8Length(v)] as const);
  let pbSize = 0;
  for (const [start, end] of plan.keep) pbSize += end - start;
  for (const [, , k, v] of entries) pbSize += delimitedSize(transField, entrySize(k, v));
  const frameSize = FIXED_HEADER_SIZE + pbSize + (frame.length - pbEnd);
  if (pbSize > MAX_PB_HEADER_SIZE) {
    return unsupported(`protobuf header would be ${pbSize} bytes, above ${MAX_PB_HEADER_SIZE}`);
  }
  if (frameSize > MAX_FRAME_SIZE_FIELD) {
    return unsupported(`frame would be ${frameSize} bytes, above ${MAX_FRAME_SIZE_FIELD}`);
  }
  const out = allocBytes(frameSize);
  copyBytes(out, 0, frame, 0, FIXED_HEADER_SIZE);
  putU32(out, 4, frameSize);
  putU16(out, 8, pbSize);
  let pos = FIXED_HEADER_SIZE;
  for (const [start, end] of plan.keep) {
    copyBytes(out, pos, frame, start, end);
    pos += end - start;
  }
  for (const [k, v, kLength, vLength] of entries) {
    pos = writeDelimitedHead(out, pos, transField, entrySize(kLength, vLength));
    pos = writeUtf8(k, out, writeDelimitedHead(out, pos, 1, kLength));
    pos = writeUtf8(v, out, writeDelimitedHead(out, pos, 2, vLength));
  }
  copyBytes(out, pos, frame, pbEnd, frame.length);
  return { kind: "ok", bytes: out };
}

function writeBytesField(out: Uint8Array, pos: number, field: number, bytes: Uint8Array) {
  pos = writeDelimitedHead(out, pos, field, bytes.length);
  copyBytes(out, pos, bytes, 0, bytes.length);
  return pos + bytes.length;
}

/** The size of a map entry whose key and value have these UTF-8 lengths. */
function entrySize(keyLength: number, valueLength: number): number {
  return delimitedSize(1, keyLength) + delimitedSize(2, valueLength);
}

interface HeaderPlan {
  /** Byte ranges of the header to copy as they are (merged when adjacent). */
  readonly keep: [number, number][];
  /** Whether every mutation entry is already there, once, with the same key and value. */
  readonly unchanged: boolean;
}

/**
 * Walks the header once: every field is kept except the trans_info entries whose key
 * matches a mutation key (case-insensitively, as metadata keys are lower-cased).
 */
function planHeader(
  frame: Uint8Array,
  pbEnd: number,
  transField: number,
  mutation: Mutation,
): HeaderPlan | undefined {
  const keys = [...mutation.keys()];
  const lowered = keys.map((k) => k.toLowerCase());
  const seen = new Array<number>(keys.length).fill(0);
  let exact = 0;
  const keep: [number, number][] = [];
  const r = new WireReader(frame, FIXED_HEADER_SIZE, pbEnd);
  while (r.more()) {
    const at = r.pos;
    const tag = r.tag();
    r.skip(tag & 7, tag >>> 3, at);
    if (r.error !== undefined) return undefined;
    if (tag >>> 3 === transField && (tag & 7) === LEN) {
      const entry = entryAt(frame, at, r.pos);
      if (entry === undefined) return undefined;
      const k = wantedKey(frame, entry, lowered);
      if (k >= 0) {
        seen[k]++;
        if (utf8(frame, entry.keyStart, entry.keyEnd) === keys[k]) {
          const value = utf8(frame, entry.valueStart, entry.valueEnd);
          if (mutation.get(keys[k]) === value) exact++;
        }
        continue;
      }
    }
    const last = keep[keep.length - 1];
    if (last !== undefined && last[1] === at) last[1] = r.pos;
    else keep.push([at, r.pos]);
  }
  const unchanged = seen.every((n) => n === 1) && exact === keys.length;
  return { keep, unchanged };
}

/** The byte ranges of a trans_info entry's key and value. */
interface EntryRanges {
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** Reads the entry of a trans_info field spanning `frame[at, end)` (tag included). */
function entryAt(frame: Uint8Array, at: number, end: number): EntryRanges | undefined {
  const r = new WireReader(frame, at, end);
  r.tag();
  const len = r.length();
  if (r.error !== undefined) return undefined;
  return entryRanges(frame, r.pos, r.pos + len);
}

/**
 * The index in `lowered` (the lower-cased mutation keys) of the key of `entry`, or -1. An
 * ASCII key is compared in place; another is decoded and lower-cased with full rules.
 */
function wantedKey(frame: Uint8Array, entry: EntryRanges, lowered: readonly string[]): number {
  for (let k = 0; k < lowered.length; k++) {
    const match = matchAsciiKey(frame, entry.keyStart, entry.keyEnd, lowered[k]);
    if (match === 1) return k;
    if (match === -1) {
      return lowered.indexOf(utf8(frame, entry.keyStart, entry.keyEnd).toLowerCase());
    }
  }
  return -1;
}

/** Keeps error texts small enough for the u16 protobuf header size. */
const MAX_ERROR_TEXT = 60_000;

function errorText(message: string): Uint8Array {
  const bytes = ENCODER.encode(message);
  return bytes.length > MAX_ERROR_TEXT ? bytes.subarray(0, MAX_ERROR_TEXT) : bytes;
}

/**
 * Builds the reply to `request` for a proxy error: a unary `ResponseProtocol` with
 * `ret = func_ret = code` and an empty body, or for a stream INIT a stream INIT frame whose
 * `response_meta` carries the code and text.
 */
export function errorReplyTrpc(request: Message, error: CodecError): Uint8Array {
  const code = error.type === "RouteNotFound" ? TRPC_NO_SERVICE_ERR : TRPC_SYSTEM_ERR;
  const text = errorText(error.message);
  if (request.type === "stream_init") {
    // TrpcStreamInitMeta { response_meta (2) { ret (1), error_msg (2) } }
    const inner = 1 + varintSize(code) + delimitedSize(2, text.length);
    const metaSize = delimitedSize(2, inner);
    const out = newFrame({
      dataFrameType: STREAM_FRAME,
      streamFrameType: STREAM_INIT,
      frameSize: FIXED_HEADER_SIZE + metaSize,
      pbHeaderSize: 0,
      streamId: request.streamId >>> 0,
    });
    let pos = writeDelimitedHead(out, FIXED_HEADER_SIZE, 2, inner);
    out[pos++] = (1 << 3) | 0;
    pos = writeVarint(out, pos, code);
    writeBytesField(out, pos, 2, text);
    return out;
  }
  const requestId = Number(BigInt.asUintN(32, request.requestId));
  // ResponseProtocol { request_id (3), ret (4), func_ret (5), error_msg (6) }
  const idSize = requestId === 0 ? 0 : 1 + varintSize(requestId);
  const pbSize = idSize + 2 * (1 + varintSize(code)) + delimitedSize(6, text.length);
  const out = newFrame({
    dataFrameType: UNARY_FRAME,
    streamFrameType: 0,
    frameSize: FIXED_HEADER_SIZE + pbSize,
    pbHeaderSize: pbSize,
    streamId: 0,
  });
  let pos = FIXED_HEADER_SIZE;
  if (requestId !== 0) {
    out[pos++] = 3 << 3;
    pos = writeVarint(out, pos, requestId);
  }
  out[pos++] = 4 << 3;
  pos = writeVarint(out, pos, code);
  out[pos++] = 5 << 3;
  pos = writeVarint(out, pos, code);
  writeBytesField(out, pos, 6, text);
  return out;
}
