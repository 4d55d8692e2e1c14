/**
 * Test helpers: tRPC frames built and read back by protobufjs from `proto/trpc.proto`, an
 * implementation independent of the codec's own wire reader. Used by tests and benchmarks
 * only; never imported by the codec.
 *
 * @module
 */
import type protobuf from "protobufjs";
import { loadTrpcProto } from "../../proto/trpc_proto.ts";

/** The protobufjs types of `proto/trpc.proto`. */
export function trpcTypes(): {
  Request: protobuf.Type;
  Response: protobuf.Type;
  StreamInit: protobuf.Type;
  StreamClose: protobuf.Type;
} {
  const root = loadTrpcProto();
  return {
    Request: root.lookupType("trpc.RequestProtocol"),
    Response: root.lookupType("trpc.ResponseProtocol"),
    StreamInit: root.lookupType("trpc.TrpcStreamInitMeta"),
    StreamClose: root.lookupType("trpc.TrpcStreamCloseMeta"),
  };
}

const enc = new TextEncoder();

/** UTF-8 bytes of `s`. */
export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

/** A `trans_info` map with string values turned into bytes. */
export function transInfo(entries: Record<string, string>): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, bytes(v)]));
}

/** The fixed-header fields a frame builder may set. */
export interface FrameShape {
  readonly dataFrameType?: number;
  readonly streamFrameType?: number;
  readonly streamId?: number;
  /** Overrides the protobuf header size field (defaults to the header's length). */
  readonly pbHeaderSize?: number;
}

/** Joins a 16-byte fixed header, `header` and `body` into one frame. */
export function frame(header: Uint8Array, body: Uint8Array, shape: FrameShape = {}): Uint8Array {
  const size = 16 + header.length + body.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0930);
  out[2] = shape.dataFrameType ?? 0;
  out[3] = shape.streamFrameType ?? 0;
  view.setUint32(4, size);
  view.setUint16(8, shape.pbHeaderSize ?? header.length);
  view.setUint32(10, shape.streamId ?? 0);
  out.set(header, 16);
  out.set(body, 16 + header.length);
  return out;
}

/** A unary request frame whose `RequestProtocol` protobufjs encodes from `fields`. */
export function requestFrame(
  fields: Record<string, unknown>,
  body: Uint8Array = new Uint8Array(),
): Uint8Array {
  const { Request } = trpcTypes();
  return frame(Request.encode(Request.fromObject(fields)).finish(), body);
}

/** A unary response frame whose `ResponseProtocol` protobufjs encodes from `fields`. */
export function responseFrame(
  fields: Record<string, unknown>,
  body: Uint8Array = new Uint8Array(),
): Uint8Array {
  const { Response } = trpcTypes();
  return frame(Response.encode(Response.fromObject(fields)).finish(), body);
}

/** A stream frame: `meta` (INIT or CLOSE metadata, or DATA bytes) after the fixed header. */
export function streamFrame(streamFrameType: number, streamId: number, meta: Uint8Array) {
  return frame(new Uint8Array(), meta, { dataFrameType: 1, streamFrameType, streamId });
}

/** A stream INIT frame whose `TrpcStreamInitMeta` protobufjs encodes from `fields`. */
export function streamInitFrame(streamId: number, fields: Record<string, unknown>): Uint8Array {
  const { StreamInit } = trpcTypes();
  return streamFrame(1, streamId, StreamInit.encode(StreamInit.fromObject(fields)).finish());
}

/** A stream CLOSE frame whose `TrpcStreamCloseMeta` protobufjs encodes from `fields`. */
export function streamCloseFrame(streamId: number, fields: Record<string, unknown>): Uint8Array {
  const { StreamClose } = trpcTypes();
  return streamFrame(4, streamId, StreamClose.encode(StreamClose.fromObject(fields)).finish());
}

/** Reads a frame's protobuf header back with protobufjs; bytes fields become UTF-8 strings. */
export function readHeaderWithProtobufjs(
  type: protobuf.Type,
  frameBytes: Uint8Array,
): Record<string, unknown> {
  const view = new DataView(frameBytes.buffer, frameBytes.byteOffset, frameBytes.byteLength);
  const pbSize = view.getUint16(8);
  const end = frameBytes[2] === 1 ? frameBytes.length : 16 + pbSize;
  const decoded = type.decode(frameBytes.subarray(16, end));
  return utf8Strings(type.toObject(decoded, { longs: Number })) as Record<string, unknown>;
}

function utf8Strings(value: unknown): unknown {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, utf8Strings(v)]));
}
