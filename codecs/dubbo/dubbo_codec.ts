/**
 * The Dubbo MetaProtocol codec (`aeraki.meta_protocol.codec.dubbo`, data-plane spec §5.1),
 * fixing upstream's bugs listed in spec §9: every status (80 included) and every result type
 * decode, exception results and non-string values are walked, oneway requests are typed,
 * error replies are real Dubbo responses, and responses without attachments can be mutated.
 *
 * @module
 */

import {
  type Codec,
  type CodecError,
  type DecodeOptions,
  type DecodeResult,
  DEFAULT_MAX_FRAME_SIZE,
  type EncodeResult,
  type Message,
  type MessageType,
  type Mutation,
  type ResponseStatus,
} from "../codec.ts";
import type { RequestHead } from "./_head.ts";
import { type DubboDetail, isDubboDetail, rebuildAttachments } from "./attachments.ts";
import {
  type BodyResult,
  type DecodedBody,
  decodeRequestBody,
  decodeResponseBody,
} from "./body.ts";
import {
  checkHeader,
  FLAG_EVENT,
  FLAG_REQUEST,
  FLAG_TWO_WAY,
  HEADER_SIZE,
  HESSIAN2,
  readBodyLength,
  readIdHigh,
  readIdLow,
  requestIdOf,
  STATUS_BAD_RESPONSE,
  STATUS_OK,
  STATUS_SERVER_ERROR,
  STATUS_SERVICE_NOT_FOUND,
  writeHeader,
} from "./header.ts";
import { HessianWriter } from "./hessian_writer.ts";
import { allocBytes, copyBytes } from "../_bytes.ts";

function decode(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  const early = checkHeader(input, options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
  if (early !== undefined) return early;
  const flag = input[2];
  const status = input[3];
  const bodyLength = readBodyLength(input);
  const size = HEADER_SIZE + bodyLength;
  // A read that holds exactly one frame is that frame: no view to create.
  const frame = input.length === size ? input : input.subarray(0, size);
  const isRequest = (flag & FLAG_REQUEST) !== 0;
  let body: BodyResult;
  let type: MessageType;
  if ((flag & FLAG_EVENT) !== 0) {
    // Heartbeats (and other events) are answered or dropped by the proxy: no body walk.
    type = "heartbeat";
    body = eventBody("heartbeat", flag);
  } else if (isRequest) {
    type = (flag & FLAG_TWO_WAY) !== 0 ? "request" : "oneway";
    body = decodeRequestBody(frame, flag);
  } else if (status !== STATUS_OK) {
    // A failed response's body is just the error message (a Hessian string).
    type = "error";
    body = eventBody("failure", flag);
  } else {
    body = decodeResponseBody(frame, flag);
    type = body.ok && body.resultType % 3 === 0 ? "error" : "response";
  }
  if (!body.ok) return { kind: "invalid", reason: body.reason, offset: body.offset };
  const message = new DubboMessage(
    type,
    isRequest || status === STATUS_OK ? "ok" : "error",
    body,
    frame,
  );
  return { kind: "message", message, bytesConsumed: frame.length };
}

/**
 * A decoded Dubbo message. The request id's halves are read at decode time and made a
 * `bigint` when first read; `operation` is built from the request head when read.
 */
class DubboMessage implements Message {
  readonly streamId = 0;
  readonly headerSize = HEADER_SIZE;
  readonly bodySize: number;
  readonly metadata: ReadonlyMap<string, string>;
  readonly detail: DubboDetail;
  readonly #head: RequestHead | undefined;
  readonly #idHigh: number;
  readonly #idLow: number;
  #requestId: bigint | undefined;

  constructor(
    readonly type: MessageType,
    readonly status: ResponseStatus,
    body: DecodedBody,
    readonly frame: Uint8Array,
  ) {
    this.bodySize = frame.length - HEADER_SIZE;
    this.metadata = body.metadata;
    this.detail = body;
    this.#head = body.head;
    this.#idHigh = readIdHigh(frame);
    this.#idLow = readIdLow(frame);
  }

  get requestId(): bigint {
    return this.#requestId ??= requestIdOf(this.#idHigh, this.#idLow);
  }

  get operation(): string {
    return this.#head === undefined ? "" : this.#head.operation;
  }
}

function eventBody(kind: "heartbeat" | "failure", flag: number): BodyResult {
  return {
    ok: true,
    metadata: new Map(),
    head: undefined,
    codec: "dubbo",
    kind,
    flag,
    attachmentStart: 0,
    attachmentEnd: 0,
    hasSlot: false,
    resultType: -1,
    resultTypeEnd: 0,
    classes: [],
    classCount: 0,
  };
}

function encode(message: Message, mutation: Mutation): EncodeResult {
  if (mutation.size === 0) return { kind: "ok", bytes: message.frame };
  const detail = message.detail;
  if (!isDubboDetail(detail)) {
    return unsupported("the message was not decoded by the Dubbo codec");
  }
  if (detail.kind === "heartbeat") return unsupported("heartbeats carry no attachments");
  if (detail.kind === "failure") {
    return unsupported("a response with a failure status carries only an error message");
  }
  const map = rebuildAttachments(message.frame, detail, mutation);
  if (map.kind === "unchanged") return { kind: "ok", bytes: message.frame };
  if (map.kind === "unsupported") return map;
  return { kind: "ok", bytes: splice(message.frame, detail, map.bytes) };
}

/**
 * Replaces the attachment bytes of `frame` with `map` and fixes the body length; the bytes
 * before the attachments are copied untouched.
 *
 * A response of type 0, 1 or 2 has no attachment slot. Its type becomes 3, 4 or 5 (the
 * `*_WITH_ATTACHMENTS` variant of the same outcome) and the map follows its value: Dubbo
 * clients since 2.0.2 (every client that sends attachments) read those types, and
 * hessian.js-based clients read the value first and ignore what follows.
 */
function splice(frame: Uint8Array, detail: DubboDetail, map: Uint8Array): Uint8Array {
  const switchType = !detail.hasSlot;
  const keepFrom = switchType ? detail.resultTypeEnd : HEADER_SIZE;
  const bodyLength = (switchType ? 1 : 0) + (detail.attachmentStart - keepFrom) + map.length +
    (frame.length - detail.attachmentEnd);
  const out = allocBytes(HEADER_SIZE + bodyLength);
  copyBytes(out, 0, frame, 0, 12);
  out[12] = bodyLength >>> 24;
  out[13] = (bodyLength >>> 16) & 0xff;
  out[14] = (bodyLength >>> 8) & 0xff;
  out[15] = bodyLength & 0xff;
  let at = HEADER_SIZE;
  if (switchType) out[at++] = 0x90 + detail.resultType + 3; // the compact int
  copyBytes(out, at, frame, keepFrom, detail.attachmentStart);
  at += detail.attachmentStart - keepFrom;
  copyBytes(out, at, map, 0, map.length);
  at += map.length;
  copyBytes(out, at, frame, detail.attachmentEnd, frame.length);
  return out;
}

function unsupported(detail: string): EncodeResult {
  return { kind: "unsupported", reason: `Cannot write a mutation into a Dubbo message: ${detail}` };
}

/**
 * Builds a Dubbo response to `request` that any Dubbo client turns into an error: status
 * SERVICE_NOT_FOUND (60) for RouteNotFound, BAD_RESPONSE (50) for BadResponse, SERVER_ERROR
 * (80) otherwise (upstream's mapping), and as body the Hessian string of the message — what
 * a non-OK Dubbo response carries (`Response.getErrorMessage()`), following spec §5.1.
 */
function errorReply(request: Message, error: CodecError): Uint8Array {
  const status = error.type === "RouteNotFound"
    ? STATUS_SERVICE_NOT_FOUND
    : error.type === "BadResponse"
    ? STATUS_BAD_RESPONSE
    : STATUS_SERVER_ERROR;
  const body = new HessianWriter().string(error.message).finish();
  const out = allocBytes(HEADER_SIZE + body.length);
  writeHeader(out, HESSIAN2, status, request.requestId, body.length);
  copyBytes(out, HEADER_SIZE, body, 0, body.length);
  return out;
}

/**
 * Builds the reply to a two-way heartbeat request: `0xdabb | 0x22 | 20 | id | 1 | N`.
 * Heartbeat responses and one-way events (such as Dubbo's read-only event) get no reply.
 */
function heartbeatReply(heartbeat: Message): Uint8Array | undefined {
  const detail = heartbeat.detail;
  if (!isDubboDetail(detail) || detail.kind !== "heartbeat") return undefined;
  const wanted = FLAG_REQUEST | FLAG_TWO_WAY;
  if ((detail.flag & wanted) !== wanted) return undefined;
  const out = allocBytes(HEADER_SIZE + 1);
  writeHeader(out, HESSIAN2 | FLAG_EVENT, STATUS_OK, heartbeat.requestId, 1);
  out[HEADER_SIZE] = 0x4e;
  return out;
}

/**
 * The Dubbo codec: Hessian 2 serialization only; metadata `interface`, `method`, `version`
 * (when not empty) and every string attachment (such as `group`), keys lower-cased. The
 * metadata decodes its strings from the frame when read (`get` only the value asked for),
 * so like `frame` it reads the decoder's input bytes: keep them unchanged while in use.
 * `operation` is built when read. The heads of requests (version, path, service version,
 * method, parameter types) are kept in a bounded cache and reused when a frame repeats
 * their exact bytes (see `_head.ts`); arguments and attachments are first walked as if
 * every string were ASCII, a walk that one count of non-ASCII bytes proves exact or sends
 * to the exact walk (see `_hop.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dubboCodec } from "./mod.ts";
 * const result = dubboCodec.decode(new Uint8Array([0xda, 0xbb]));
 * assert.equal(result.kind, "need-more");
 * ```
 */
export const dubboCodec: Codec = {
  name: "aeraki.meta_protocol.codec.dubbo",
  protocol: "dubbo",
  decode,
  encode,
  errorReply,
  heartbeatReply,
  rewriteRequestId,
  requestIdInFixedHeader: true,
};

/** Writes `id` into the header's 8-byte request id, in place (ids are signed 64-bit). */
function rewriteRequestId(message: Message, id: bigint): Uint8Array | undefined {
  const frame = message.frame;
  if (frame.length < HEADER_SIZE || id < -(1n << 63n) || id >= 1n << 64n) return undefined;
  let high = 0;
  let low: number;
  if (id >= 0n && id <= 0xffffffffn) {
    // The proxy's own ids and most clients' fit in the low half: no BigInt arithmetic.
    low = Number(id);
  } else {
    const v = BigInt.asUintN(64, id);
    high = Number(v >> 32n);
    low = Number(v & 0xffffffffn);
  }
  for (let i = 0; i < 4; i++) {
    frame[4 + i] = high >>> (24 - 8 * i);
    frame[8 + i] = low >>> (24 - 8 * i);
  }
  return frame;
}
