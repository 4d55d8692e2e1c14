/**
 * Error replies: a Thrift EXCEPTION message carrying a TApplicationException
 * `{1: message string, 2: type i32}`, written in the request's own protocol and transport.
 *
 * @module
 */
import { allocBytes, copyBytes } from "../_bytes.ts";
import { pushVarint, type THeaderFields, writeTHeader } from "./_theader.ts";

/** TApplicationExceptionType.INTERNAL_ERROR. */
export const INTERNAL_ERROR = 6;

const encoder = new TextEncoder();

/** How to write a reply: the request's protocol, transport and ids. */
export interface ReplyShape {
  readonly transport: "framed" | "unframed" | "header";
  readonly protocol: "binary" | "compact";
  /** Binary only: a versioned (`0x8001`) message header rather than the old style. */
  readonly strict: boolean;
  readonly method: string;
  readonly seqId: number;
  /** Header transport only: the fields to copy from the request's THeader. */
  readonly theader?: THeaderFields;
}

/** Builds the framed bytes of an EXCEPTION message answering `shape` with `text`. */
export function exceptionReply(shape: ReplyShape, text: string): Uint8Array {
  const out: number[] = [];
  if (shape.protocol === "compact") writeCompact(out, shape, text);
  else writeBinary(out, shape, text);
  const payload = Uint8Array.from(out);
  if (shape.transport === "unframed") return payload;
  if (shape.transport === "header" && shape.theader) {
    const framed = writeTHeader(shape.theader, [], payload);
    if (typeof framed !== "string") return framed;
  }
  const frame = allocBytes(payload.length + 4);
  new DataView(frame.buffer, frame.byteOffset, 4).setInt32(0, payload.length);
  copyBytes(frame, 4, payload, 0, payload.length);
  return frame;
}

function writeBinary(out: number[], shape: ReplyShape, text: string): void {
  const name = encoder.encode(shape.method);
  if (shape.strict) {
    pushI32(out, 0x80010003);
    pushI32(out, name.length);
    pushBytes(out, name);
  } else {
    pushI32(out, name.length);
    pushBytes(out, name);
    out.push(3);
  }
  pushI32(out, shape.seqId);
  const message = encoder.encode(text);
  out.push(11, 0, 1); // field 1: string
  pushI32(out, message.length);
  pushBytes(out, message);
  out.push(8, 0, 2); // field 2: i32
  pushI32(out, INTERNAL_ERROR);
  out.push(0);
}

function writeCompact(out: number[], shape: ReplyShape, text: string): void {
  const name = encoder.encode(shape.method);
  out.push(0x82, (3 << 5) | 1);
  pushVarint(out, shape.seqId >>> 0);
  pushVarint(out, name.length);
  pushBytes(out, name);
  const message = encoder.encode(text);
  out.push(0x18); // field delta 1, binary
  pushVarint(out, message.length);
  pushBytes(out, message);
  out.push(0x15, INTERNAL_ERROR << 1); // field delta 1, i32, zigzag
  out.push(0);
}

function pushI32(out: number[], value: number): void {
  out.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function pushBytes(out: number[], bytes: Uint8Array): void {
  for (const b of bytes) out.push(b);
}
