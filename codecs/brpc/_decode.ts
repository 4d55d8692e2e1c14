/**
 * Decoding baidu_std frames: the 12-byte header (`"PRPC"`, u32 BE body_size, u32 BE
 * meta_size) and the `RpcMeta` that starts the body.
 *
 * @module
 */
import type { DecodeOptions, DecodeResult, Message, MessageType } from "../codec.ts";
import { DEFAULT_MAX_FRAME_SIZE } from "../codec.ts";
import { type MetaFacts, readMeta } from "./_meta.ts";

/** The fixed header size. */
export const HEADER_SIZE = 12;
/** `"PRPC"`. */
export const MAGIC = [0x50, 0x52, 0x50, 0x43] as const;

/** Codec-private facts of a decoded bRPC frame. */
export interface BrpcDetail {
  readonly brpc: true;
  /** `meta_size` from the header. */
  readonly metaSize: number;
  readonly facts: MetaFacts;
}

/** Whether `detail` came from this codec. */
export function isBrpcDetail(detail: unknown): detail is BrpcDetail {
  return typeof detail === "object" && detail !== null && (detail as BrpcDetail).brpc === true;
}

const utf8 = new TextDecoder();
/** Metadata keys the codec fills itself; user_fields of these names are ignored. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["service", "method"]);

class BrpcMessage implements Message {
  readonly streamId = 0;
  readonly headerSize = HEADER_SIZE;
  readonly metadata: ReadonlyMap<string, string>;
  constructor(
    readonly type: MessageType,
    readonly frame: Uint8Array,
    readonly detail: BrpcDetail,
  ) {
    this.metadata = metadataOf(frame, detail.facts);
  }
  get requestId(): bigint {
    return this.detail.facts.correlationId;
  }
  get status(): "ok" | "error" {
    return this.type === "response" && this.detail.facts.errorCode !== 0 ? "error" : "ok";
  }
  get bodySize(): number {
    return this.frame.length - HEADER_SIZE;
  }
  get operation(): string {
    const m = this.metadata;
    return this.type === "request" ? `${m.get("service")}/${m.get("method")}` : "";
  }
}

function metadataOf(frame: Uint8Array, f: MetaFacts): Map<string, string> {
  const out = new Map<string, string>();
  if (f.hasRequest) {
    out.set("service", utf8.decode(frame.subarray(f.serviceStart, f.serviceEnd)));
    out.set("method", utf8.decode(frame.subarray(f.methodStart, f.methodEnd)));
  }
  const u = f.userFields;
  for (let i = 0; i < u.length; i += 4) {
    const key = utf8.decode(frame.subarray(u[i], u[i + 1])).toLowerCase();
    if (RESERVED_KEYS.has(key)) continue;
    out.set(key, utf8.decode(frame.subarray(u[i + 2], u[i + 3])));
  }
  return out;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Decodes at most one bRPC frame from the start of `input` (see `brpcCodec`). */
export function decodeBrpc(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  const side = options?.side ?? "request";
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  for (let i = 0; i < 4 && i < input.length; i++) {
    if (input[i] !== MAGIC[i]) {
      return {
        kind: "invalid",
        reason: `Check the peer speaks baidu_std: the frame does not start with "PRPC"`,
        offset: i,
      };
    }
  }
  if (input.length < HEADER_SIZE) return { kind: "need-more" };
  const bodySize = u32(input, 4);
  const metaSize = u32(input, 8);
  const size = HEADER_SIZE + bodySize;
  if (size > max) {
    return {
      kind: "invalid",
      reason: `Reject the bRPC frame: its size "${size}" is above the limit "${max}"`,
      offset: 4,
    };
  }
  if (metaSize > bodySize) {
    return {
      kind: "invalid",
      reason: `Reject the bRPC frame: meta_size "${metaSize}" is above body_size "${bodySize}"`,
      offset: 8,
    };
  }
  if (input.length < size) return { kind: "need-more", frameSize: size };
  const meta = readMeta(input, HEADER_SIZE, HEADER_SIZE + metaSize);
  if (!meta.ok) return { kind: "invalid", reason: meta.reason, offset: meta.offset };
  const facts = meta.facts;
  let type: MessageType;
  if (facts.hasRequest) type = "request";
  else if (side === "response" || facts.hasResponse) type = "response";
  else {
    return {
      kind: "invalid",
      reason: "Reject the bRPC request: its RpcMeta has no request field",
      offset: HEADER_SIZE,
    };
  }
  const frame = input.subarray(0, size);
  const message = new BrpcMessage(type, frame, { brpc: true, metaSize, facts });
  return { kind: "message", message, bytesConsumed: size };
}
