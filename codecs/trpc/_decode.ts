/**
 * tRPC decoding: the fixed header first (checked byte by byte as it arrives), then the
 * protobuf header of the frame kind, read in place.
 *
 * @module
 */
import {
  type DecodeOptions,
  type DecodeResult,
  DEFAULT_MAX_FRAME_SIZE,
  type Message,
  type MessageType,
  type Side,
} from "../codec.ts";
import {
  checkFixedHeader,
  FIXED_HEADER_SIZE,
  STREAM_CLOSE,
  STREAM_FRAME,
  STREAM_INIT,
  u16,
  u32,
} from "./_frame.ts";
import { HeaderMetadata } from "./_metadata.ts";
import {
  type HeaderFacts,
  type HeaderSpec,
  readHeader,
  REQUEST_PROTOCOL,
  RESPONSE_PROTOCOL,
  STREAM_CLOSE_META,
  STREAM_INIT_META,
} from "./_pb_header.ts";

/** What the tRPC codec remembers about a decoded frame (`Message.detail`). */
export interface TrpcDetail {
  readonly codec: "trpc";
  /** The side whose header was read (unary frames). */
  readonly side: Side;
  /** Whether the frame is a stream frame. */
  readonly stream: boolean;
  /** The protobuf header size from the fixed header. */
  readonly pbHeaderSize: number;
}

/** Whether `detail` came from this codec. */
export function isTrpcDetail(detail: unknown): detail is TrpcDetail {
  return typeof detail === "object" && detail !== null &&
    (detail as { codec?: unknown }).codec === "trpc";
}

/** `TRPC_ONEWAY_CALL`. */
const ONEWAY_CALL = 1;

const NEED_MORE: DecodeResult = { kind: "need-more" };

function noFacts(): HeaderFacts {
  return {
    requestId: 0,
    callType: 0,
    ret: 0,
    funcRet: 0,
    closeType: 0,
    always: [],
    named: [],
    entries: [],
  };
}

function invalid(reason: string, offset: number): DecodeResult {
  return { kind: "invalid", reason: `Cannot decode tRPC frame: ${reason}`, offset };
}

/** Decodes at most one tRPC frame from the start of `input`; never throws. */
export function decodeTrpc(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const problem = checkFixedHeader(input, max);
  if (problem) return invalid(problem.reason, problem.offset);
  if (input.length < FIXED_HEADER_SIZE) {
    return input.length >= 8 ? { kind: "need-more", frameSize: u32(input, 4) } : NEED_MORE;
  }
  const frameSize = u32(input, 4);
  if (input.length < frameSize) return { kind: "need-more", frameSize };
  const side = options?.side ?? "request";
  const stream = input[2] === STREAM_FRAME;
  const frameType = input[3];
  const pbHeaderSize = u16(input, 8);
  const spec = headerSpec(stream, frameType, side);
  let facts: HeaderFacts;
  if (!spec) facts = noFacts();
  else {
    // Stream metadata fills the rest of the frame; a unary header has its own size.
    const end = stream ? frameSize : FIXED_HEADER_SIZE + pbHeaderSize;
    const read = readHeader(input, FIXED_HEADER_SIZE, end, spec);
    if (!read.ok) return invalid(read.reason, read.offset);
    facts = read.facts;
  }
  const headerSize = FIXED_HEADER_SIZE + pbHeaderSize;
  const detail: TrpcDetail = { codec: "trpc", side, stream, pbHeaderSize };
  const frame = input.subarray(0, frameSize);
  const metadata = new HeaderMetadata(frame, facts);
  const message: Message = {
    type: messageType(stream, frameType, side, facts),
    requestId: BigInt(facts.requestId),
    streamId: stream ? u32(input, 10) : 0,
    status: facts.ret !== 0 || facts.funcRet !== 0 ? "error" : "ok",
    metadata,
    headerSize,
    bodySize: frameSize - headerSize,
    frame,
    operation: metadata.get("func") ?? "",
    detail,
  };
  return { kind: "message", message, bytesConsumed: frameSize };
}

function headerSpec(stream: boolean, frameType: number, side: Side): HeaderSpec | undefined {
  if (!stream) return side === "response" ? RESPONSE_PROTOCOL : REQUEST_PROTOCOL;
  if (frameType === STREAM_INIT) return STREAM_INIT_META;
  if (frameType === STREAM_CLOSE) return STREAM_CLOSE_META;
  return undefined;
}

function messageType(
  stream: boolean,
  frameType: number,
  side: Side,
  facts: HeaderFacts,
): MessageType {
  if (!stream) {
    if (side === "response") return "response";
    return facts.callType === ONEWAY_CALL ? "oneway" : "request";
  }
  if (frameType === STREAM_INIT) return "stream_init";
  if (frameType === STREAM_CLOSE) {
    return facts.closeType === 0 ? "stream_close_one_way" : "stream_close_two_way";
  }
  return "stream_data";
}
