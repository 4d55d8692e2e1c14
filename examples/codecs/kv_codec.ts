/**
 * A codec of your own: "KV-RPC", a small proprietary protocol, routable by the MetaProtocol
 * proxy once its codec implements the contract of `codecs/codec.ts`. Try it on captured
 * bytes with `deno task aeraki decode --codec examples/codecs/kv_codec.ts FILE`; its test
 * (`kv_codec_test.ts`) holds it to the contract with the conformance kit.
 *
 * The wire format, big-endian:
 *
 * ```text
 * 0      2        3       4            8             10            14
 * | "KV" | version | kind | request id | header size | body size | header | body |
 * ```
 *
 * version is 1; kind is 1 request, 2 response, 3 heartbeat, 4 heartbeat reply, 5 one-way;
 * the header is UTF-8 `key: value` lines, each ending in `\n`; the body is opaque. A
 * response whose `status` header is not `ok` failed.
 *
 * @module
 */
import type { codecs } from "../../mod.ts";

type Codec = codecs.Codec;
type Message = codecs.Message;

const MAGIC_0 = 0x4b; // "K"
const MAGIC_1 = 0x56; // "V"
const FIXED = 14;
const MAX_HEADER = 0xffff;
const KINDS: Record<number, codecs.MessageType> = {
  1: "request",
  2: "response",
  3: "heartbeat",
  4: "heartbeat",
  5: "oneway",
};

/** What the codec keeps of a decoded frame to encode it again or to reply. */
interface KvDetail {
  readonly codec: "kv";
  readonly kind: number;
  /** The header lines in wire order, keys as sent. */
  readonly lines: readonly (readonly [string, string])[];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function invalid(reason: string, offset: number): codecs.DecodeResult {
  return { kind: "invalid", reason: `Cannot decode KV-RPC frame: ${reason}`, offset };
}

/** Decodes one frame from the start of `input`; never throws. */
function decode(input: Uint8Array, options?: codecs.DecodeOptions): codecs.DecodeResult {
  // Garbage is rejected as soon as the bytes that show it arrive.
  if (input.length >= 1 && input[0] !== MAGIC_0) return invalid("bad magic", 0);
  if (input.length >= 2 && input[1] !== MAGIC_1) return invalid("bad magic", 1);
  if (input.length >= 3 && input[2] !== 1) return invalid(`version ${input[2]} is not 1`, 2);
  if (input.length >= 4 && KINDS[input[3]] === undefined) {
    return invalid(`kind ${input[3]} is not 1 to 5`, 3);
  }
  if (input.length < FIXED) return { kind: "need-more" };
  const view = new DataView(input.buffer, input.byteOffset, FIXED);
  const headerSize = view.getUint16(8);
  const size = FIXED + headerSize + view.getUint32(10);
  const limit = options?.maxFrameSize ?? 16 * 1024 * 1024;
  if (size > limit) return invalid(`a ${size}-byte frame exceeds the limit of ${limit}`, 10);
  if (input.length < size) return { kind: "need-more", frameSize: size };
  const frame = input.subarray(0, size); // a view: the codec never copies a frame
  const lines = parseHeader(frame.subarray(FIXED, FIXED + headerSize));
  if (typeof lines === "string") return invalid(lines, FIXED);
  const metadata = new Map<string, string>();
  for (const [key, value] of lines) metadata.set(key.toLowerCase(), value);
  const kind = input[3];
  const failed = kind === 2 && (metadata.get("status") ?? "ok") !== "ok";
  const message: Message = {
    type: failed ? "error" : KINDS[kind],
    requestId: BigInt(view.getUint32(4)),
    streamId: 0,
    status: failed ? "error" : "ok",
    metadata,
    headerSize: FIXED + headerSize,
    bodySize: size - FIXED - headerSize,
    frame,
    operation: metadata.has("service")
      ? `${metadata.get("service")}/${metadata.get("method")}`
      : "",
    detail: { codec: "kv", kind, lines } satisfies KvDetail,
  };
  return { kind: "message", message, bytesConsumed: size };
}

function parseHeader(bytes: Uint8Array): [string, string][] | string {
  const text = decoder.decode(bytes);
  if (text.length > 0 && !text.endsWith("\n")) return "the header does not end with a newline";
  const lines: [string, string][] = [];
  for (const line of text.split("\n").slice(0, -1)) {
    const colon = line.indexOf(": ");
    if (colon <= 0) return `header line "${line}" is not "key: value"`;
    lines.push([line.slice(0, colon), line.slice(colon + 2)]);
  }
  return lines;
}

/** Builds a frame; `undefined` when the header would not fit its 16-bit size. */
function frameOf(
  kind: number,
  id: bigint,
  lines: readonly (readonly [string, string])[],
  body: Uint8Array,
): Uint8Array | undefined {
  const header = encoder.encode(lines.map(([k, v]) => `${k}: ${v}\n`).join(""));
  if (header.length > MAX_HEADER) return undefined;
  const out = new Uint8Array(FIXED + header.length + body.length);
  const view = new DataView(out.buffer);
  out.set([MAGIC_0, MAGIC_1, 1, kind]);
  view.setUint32(4, Number(id));
  view.setUint16(8, header.length);
  view.setUint32(10, body.length);
  out.set(header, FIXED);
  out.set(body, FIXED + header.length);
  return out;
}

function detailOf(message: Message): KvDetail | undefined {
  const detail = message.detail as Partial<KvDetail> | undefined;
  return detail?.codec === "kv" ? detail as KvDetail : undefined;
}

/** Writes the mutation into the header: a key already there (any case) gets the new value. */
function encode(message: Message, mutation: codecs.Mutation): codecs.EncodeResult {
  const detail = detailOf(message);
  if (detail === undefined) return { kind: "unsupported", reason: "not a KV-RPC message" };
  if (mutation.size === 0) return { kind: "ok", bytes: message.frame };
  for (const [k, v] of mutation) {
    // A header line is "key: value\n": a key is not empty and holds no ": "; neither holds "\n".
    if (k.length === 0 || k.includes(": ") || k.includes("\n") || v.includes("\n")) {
      return { kind: "unsupported", reason: `header "${k}" cannot be written as a line` };
    }
  }
  const wanted = new Map([...mutation].map(([k, v]) => [k.toLowerCase(), [k, v] as const]));
  let changed = false;
  const lines = detail.lines.flatMap(([k, v]): (readonly [string, string])[] => {
    const next = wanted.get(k.toLowerCase());
    if (next === undefined) return [[k, v]];
    wanted.delete(k.toLowerCase());
    if (next[1] !== v) changed = true;
    return [[k, next[1]]];
  });
  for (const entry of wanted.values()) {
    lines.push(entry);
    changed = true;
  }
  if (!changed) return { kind: "ok", bytes: message.frame };
  const body = message.frame.subarray(message.headerSize);
  const bytes = frameOf(detail.kind, message.requestId, lines, body);
  return bytes === undefined
    ? { kind: "unsupported", reason: "the header would exceed 65535 bytes" }
    : { kind: "ok", bytes };
}

/** A failed response to `request`, carrying the error in its header. */
function errorReply(request: Message, error: codecs.CodecError): Uint8Array {
  const text = error.message.replaceAll("\n", " ");
  const lines: [string, string][] = [["status", "error"], ["error-type", error.type], [
    "message",
    text,
  ]];
  return frameOf(2, request.requestId, lines, new Uint8Array()) ??
    frameOf(2, request.requestId, lines.slice(0, 2), new Uint8Array())!;
}

/** The reply to a heartbeat (kind 3); a heartbeat reply (kind 4) gets none. */
function heartbeatReply(heartbeat: Message): Uint8Array | undefined {
  const detail = detailOf(heartbeat);
  if (detail === undefined || detail.kind !== 3) return undefined;
  return frameOf(4, heartbeat.requestId, [], new Uint8Array());
}

/** The KV-RPC codec. A module for `aeraki decode --codec` exports its codec as default. */
export const kvCodec: Codec = {
  name: "example.meta_protocol.codec.kv",
  protocol: "kv",
  decode,
  encode,
  errorReply,
  heartbeatReply,
};

export default kvCodec;

/** Builds a KV-RPC frame (for tests and samples). */
export function kvFrame(
  kind: number,
  id: number,
  lines: readonly (readonly [string, string])[],
  body: Uint8Array = new Uint8Array(),
): Uint8Array {
  return frameOf(kind, BigInt(id), lines, body)!;
}
