/**
 * The Thrift MetaProtocol codec (`aeraki.meta_protocol.codec.thrift`).
 *
 * - Transports framed, unframed (buffered) and header (THeader), protocols binary (strict
 *   and old-style non-strict) and compact, auto-detected on every frame as upstream does,
 *   plus non-strict binary: framed when the byte after the length is `0x00` (the high byte
 *   of a name length), unframed when it is an identifier character (the first letter of the
 *   method name). See `_transport.ts`.
 * - Framed and header frames are sized by their length prefix, checked against the limit
 *   before buffering (the limit counts the whole frame, length prefix included); the message
 *   header inside is validated, the body is not walked. Unframed messages are walked
 *   structurally (no values are built; nesting is limited to 64) to find their end; one
 *   that passes the limit without ending is invalid.
 * - THeader transforms (zlib, snappy) and the JSON payload protocol are reported invalid:
 *   the method of a compressed payload cannot be read, and routing without it would be wrong.
 * - Metadata: `method` plus every THeader info header (lower-cased keys; per-message headers
 *   win over persistent ones, the payload's method wins over a header named `method`).
 *   requestId is the seqid as an unsigned 32-bit number.
 * - Types: call → request, reply → response, exception → error (status error), oneway →
 *   oneway. A reply whose result struct starts with a non-zero field id carries a declared
 *   exception (field 0 is `success`) and gets status error.
 * - A mutation is written into THeader per-message headers; other transports have no
 *   headers, so a non-empty mutation is `unsupported` there.
 * - `rewriteRequestId` changes the seqid (and a THeader frame's sequence number): in place
 *   for binary, in place or spliced for compact varints.
 *
 * @module
 */
import type {
  Codec,
  CodecError,
  DecodeOptions,
  DecodeResult,
  EncodeResult,
  Message,
  MessageType,
  Mutation,
} from "../codec.ts";
import { DEFAULT_MAX_FRAME_SIZE } from "../codec.ts";
import { binaryFirstField, binaryHeader, skipBinaryStruct } from "./_binary.ts";
import { compactFirstField, compactHeader, skipCompactStruct } from "./_compact.ts";
import { methodName } from "./_names.ts";
import { exceptionReply } from "./_reply.ts";
import { rewriteThriftSeqId } from "./_request_id.ts";
import {
  type InfoHeader,
  PROTOCOL_COMPACT,
  readTHeader,
  type THeaderFields,
  theaderFields,
  writeTHeader,
} from "./_theader.ts";
import { detectTransport, FRAMED, UNFRAMED } from "./_transport.ts";
import { EXCEPTION, fail, i32, INVALID, NEED_MORE, newWalk, REPLY, type Walk } from "./_wire.ts";

/** What the Thrift codec remembers about a decoded message (`Message.detail`). */
export interface ThriftDetail {
  /** The transport the message came in: framed, unframed (buffered) or header (THeader). */
  readonly transport: "framed" | "unframed" | "header";
  /** The protocol of the message. */
  readonly protocol: "binary" | "compact";
  /** Binary: whether the message header had the `0x8001` version word; true for compact. */
  readonly strict: boolean;
  /** The method name. */
  readonly method: string;
  /** The seqid, as the signed 32-bit integer on the wire. */
  readonly seqId: number;
  /** Where the message (THeader payload) starts in the frame: 0 unframed, 4 framed. */
  readonly payloadOffset: number;
  /** Header transport: the THeader flags, sequence number and payload protocol id. */
  readonly theader?: {
    readonly flags: number;
    readonly seqId: number;
    readonly protocolId: number;
  };
}

class Detail implements ThriftDetail {
  constructor(
    readonly transport: "framed" | "unframed" | "header",
    readonly protocol: "binary" | "compact",
    readonly strict: boolean,
    readonly method: string,
    readonly seqId: number,
    readonly payloadOffset: number,
    readonly theader?: THeaderFields,
  ) {}
}

const NEED_MORE_RESULT: DecodeResult = Object.freeze({ kind: "need-more" });
const TYPES: readonly MessageType[] = ["request", "request", "response", "error", "oneway"];

// One walk serves every call: decode is synchronous and never re-entered, and resets what
// it reads before reading it.
const scratch = newWalk(0, false);

function decode(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const w = scratch;
  w.limit = max;
  w.framed = false;
  w.strict = true;
  w.firstField = 0;
  const kind = detectTransport(input, w, max);
  if (kind === NEED_MORE) return NEED_MORE_RESULT;
  if (kind === INVALID) return invalid(w);
  if (kind === UNFRAMED) return decodeUnframed(input, w);
  const total = i32(input, 0) + 4;
  if (input.length < total) return { kind: "need-more", frameSize: total };
  // When the input is exactly one frame, the input itself is the view.
  const frame = input.length === total ? input : input.subarray(0, total);
  w.limit = total;
  w.framed = true;
  return kind === FRAMED ? decodeFramed(frame, w) : decodeHeader(frame, w);
}

function decodeFramed(frame: Uint8Array, w: Walk): DecodeResult {
  if (isFramedTHeader(frame)) {
    fail(
      w,
      4,
      "a THeader frame inside a second length prefix is not supported; send THeader unwrapped",
    );
    return invalid(w);
  }
  const compact = frame[4] === 0x82;
  const body = messageHeader(frame, w, 4, compact);
  if (body < 0) return invalid(w);
  const detail = newDetail(frame, w, "framed", compact, 4);
  return message(frame, w, body, methodOnly(detail.method), detail);
}

/** The Node library's TFramedTransport under THeaderProtocol prefixes a THeader frame again. */
function isFramedTHeader(frame: Uint8Array): boolean {
  return frame.length >= 10 && frame[8] === 0x0f && frame[9] === 0xff &&
    i32(frame, 4) === frame.length - 8;
}

function decodeHeader(frame: Uint8Array, w: Walk): DecodeResult {
  const metadata = new Map<string, string>();
  const payload = readTHeader(frame, w, (key, value, persistent) => {
    const lower = key.toLowerCase();
    if (!persistent || !metadata.has(lower)) metadata.set(lower, value);
  });
  if (payload < 0) return invalid(w);
  const fields = theaderFields(frame, w.value);
  const compact = w.value === PROTOCOL_COMPACT;
  const body = messageHeader(frame, w, payload, compact);
  if (body < 0) return invalid(w);
  const detail = newDetail(frame, w, "header", compact, payload, fields);
  metadata.set("method", detail.method);
  return message(frame, w, body, metadata, detail);
}

function decodeUnframed(whole: Uint8Array, w: Walk): DecodeResult {
  // The walk sees at most the limit, so a message longer than the limit is invalid however
  // much of it is buffered.
  const input = whole.length > w.limit ? whole.subarray(0, w.limit) : whole;
  const compact = input[0] === 0x82;
  const body = messageHeader(input, w, 0, compact);
  if (body === NEED_MORE) return NEED_MORE_RESULT;
  if (body < 0) return invalid(w);
  const end = compact ? skipCompactStruct(input, w, body, 1) : skipBinaryStruct(input, w, body, 1);
  if (end === NEED_MORE) return NEED_MORE_RESULT;
  if (end < 0) return invalid(w);
  const frame = whole.length === end ? whole : whole.subarray(0, end);
  const detail = newDetail(frame, w, "unframed", compact, 0);
  return message(frame, w, body, methodOnly(detail.method), detail);
}

/** Parses the message header at `pos`, and a reply's first result field; returns the body. */
function messageHeader(b: Uint8Array, w: Walk, pos: number, compact: boolean): number {
  const body = compact ? compactHeader(b, w, pos) : binaryHeader(b, w, pos);
  if (body < 0 || w.type !== REPLY) return body;
  const peek = compact ? compactFirstField(b, w, body) : binaryFirstField(b, w, body);
  return peek < 0 ? peek : body;
}

function newDetail(
  frame: Uint8Array,
  w: Walk,
  transport: ThriftDetail["transport"],
  compact: boolean,
  payloadOffset: number,
  fields?: THeaderFields,
): Detail {
  const method = methodName(frame, w.nameStart, w.nameEnd);
  const protocol = compact ? "compact" : "binary";
  return new Detail(transport, protocol, w.strict, method, w.seqId, payloadOffset, fields);
}

function message(
  frame: Uint8Array,
  w: Walk,
  body: number,
  metadata: Map<string, string>,
  detail: Detail,
): DecodeResult {
  const failed = w.type === EXCEPTION || (w.type === REPLY && w.firstField !== 0);
  const message: Message = {
    type: TYPES[w.type],
    requestId: BigInt(w.seqId >>> 0),
    streamId: 0,
    status: failed ? "error" : "ok",
    metadata,
    headerSize: body,
    bodySize: frame.length - body,
    frame,
    operation: detail.method,
    detail,
  };
  return { kind: "message", message, bytesConsumed: frame.length };
}

/** Recent `{method}` metadata maps: messages' metadata is read-only, so one map serves all. */
const methodMaps = new Map<string, Map<string, string>>();
const METHOD_MAPS = 256;

function methodOnly(method: string): Map<string, string> {
  let metadata = methodMaps.get(method);
  if (metadata !== undefined) return metadata;
  metadata = new Map<string, string>();
  metadata.set("method", method);
  // Bounded: a client sending endless distinct names only empties the cache.
  if (methodMaps.size >= METHOD_MAPS) methodMaps.clear();
  methodMaps.set(method, metadata);
  return metadata;
}

function invalid(w: Walk): DecodeResult {
  return { kind: "invalid", reason: w.reason, offset: w.offset };
}

function encode(message: Message, mutation: Mutation): EncodeResult {
  if (mutation.size === 0) return { kind: "ok", bytes: message.frame };
  const detail = message.detail;
  if (!(detail instanceof Detail)) {
    return unsupported("the message was not decoded by the Thrift codec");
  }
  if (detail.transport !== "header" || !detail.theader) {
    return unsupported(
      `the "${detail.transport}" transport carries no headers; only the header transport (THeader) does`,
    );
  }
  const headers: InfoHeader[] = [];
  const w = newWalk(message.frame.length, true);
  const ok = readTHeader(message.frame, w, (k, v, p) => headers.push([k, v, p]));
  if (ok < 0) return unsupported(w.reason);
  const wanted = new Map<string, readonly [string, string]>();
  for (const [key, value] of mutation) wanted.set(key.toLowerCase(), [key, value]);
  if (unchanged(headers, wanted)) return { kind: "ok", bytes: message.frame };
  const kept = headers.filter(([key]) => !wanted.has(key.toLowerCase()));
  for (const [key, value] of wanted.values()) kept.push([key, value, false]);
  const payload = message.frame.subarray(detail.payloadOffset);
  const bytes = writeTHeader(detail.theader, kept, payload);
  return typeof bytes === "string" ? unsupported(bytes) : { kind: "ok", bytes };
}

/** Whether every wanted key already has its value in the last per-message header. */
function unchanged(
  headers: readonly InfoHeader[],
  wanted: ReadonlyMap<string, readonly [string, string]>,
): boolean {
  const current = new Map<string, string>();
  for (const [key, value, persistent] of headers) {
    if (!persistent) current.set(key.toLowerCase(), value);
  }
  for (const [lower, [, value]] of wanted) {
    if (current.get(lower) !== value) return false;
  }
  return true;
}

function unsupported(detail: string): EncodeResult {
  return { kind: "unsupported", reason: `Cannot write mutation to Thrift message: ${detail}` };
}

function errorReply(request: Message, error: CodecError): Uint8Array {
  const detail = request.detail;
  if (detail instanceof Detail) return exceptionReply(detail, error.message);
  // Not ours: answer in the most common shape, framed strict binary.
  return exceptionReply({
    transport: "framed",
    protocol: "binary",
    strict: true,
    method: request.metadata.get("method") ?? "",
    seqId: Number(BigInt.asIntN(32, request.requestId)),
  }, error.message);
}

/**
 * The Thrift codec: framed, unframed and header transports; binary and compact protocols.
 *
 * @example Decode a framed binary call
 * ```ts
 * import assert from "node:assert/strict";
 * import { thriftCodec } from "./mod.ts";
 *
 * const call = Uint8Array.of(
 *   0, 0, 0, 15, // frame size
 *   0x80, 0x01, 0, 1, // strict binary, CALL
 *   0, 0, 0, 2, 0x68, 0x69, // method "hi"
 *   0, 0, 0, 7, // seqid
 *   0, // empty argument struct
 * );
 * const result = thriftCodec.decode(call);
 * assert(result.kind === "message");
 * assert.equal(result.message.metadata.get("method"), "hi");
 * assert.equal(result.message.requestId, 7n);
 * ```
 */
export const thriftCodec: Codec = {
  name: "aeraki.meta_protocol.codec.thrift",
  protocol: "thrift",
  decode,
  encode,
  errorReply,
  heartbeatReply: () => undefined,
  canMutate(message: Message): boolean {
    const detail = message.detail;
    return detail instanceof Detail && detail.transport === "header" && !!detail.theader;
  },
  rewriteRequestId(message: Message, id: bigint): Uint8Array | undefined {
    const detail = message.detail;
    return detail instanceof Detail ? rewriteThriftSeqId(message, detail, id) : undefined;
  },
};
