/**
 * Test helpers: bRPC frames built and read back by protobufjs from brpc's `RpcMeta` schema
 * (field numbers of `brpc/policy/baidu_rpc_meta.proto`, restated here), an implementation
 * independent of the codec's own wire reader. Used by tests only; never imported by the codec.
 *
 * @module
 */
import protobuf from "protobufjs";

const SCHEMA = `
syntax = "proto2";
package brpc.policy;
message RpcMeta {
  optional RpcRequestMeta request = 1;
  optional RpcResponseMeta response = 2;
  optional int32 compress_type = 3;
  optional int64 correlation_id = 4;
  optional int32 attachment_size = 5;
  optional bytes authentication_data = 7;
  map<string, string> user_fields = 9;
}
message RpcRequestMeta {
  required string service_name = 1;
  required string method_name = 2;
  optional int64 log_id = 3;
  optional int64 trace_id = 4;
  optional int64 span_id = 5;
  optional int64 parent_span_id = 6;
  optional string request_id = 7;
  optional int32 timeout_ms = 8;
}
message RpcResponseMeta {
  optional int32 error_code = 1;
  optional string error_text = 2;
}
`;

let rpcMeta: protobuf.Type | undefined;

/** The protobufjs type `brpc.policy.RpcMeta`. */
export function rpcMetaType(): protobuf.Type {
  return rpcMeta ??= protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType(
    "brpc.policy.RpcMeta",
  );
}

/** A baidu_std frame: header, the encoded `meta` object, then `payload`. */
export function brpcFrame(
  meta: Record<string, unknown>,
  payload: Uint8Array = new Uint8Array(),
): Uint8Array {
  const T = rpcMetaType();
  const m = T.encode(T.fromObject(meta)).finish();
  const out = new Uint8Array(12 + m.length + payload.length);
  out.set([0x50, 0x52, 0x50, 0x43]);
  const view = new DataView(out.buffer);
  view.setUint32(4, m.length + payload.length);
  view.setUint32(8, m.length);
  out.set(m, 12);
  out.set(payload, 12 + m.length);
  return out;
}

/** Reads a frame's `RpcMeta` with protobufjs (plain object, longs as strings). */
export function readBrpcMeta(frame: Uint8Array): Record<string, unknown> {
  const metaSize = new DataView(frame.buffer, frame.byteOffset).getUint32(8);
  const T = rpcMetaType();
  return T.toObject(T.decode(frame.subarray(12, 12 + metaSize)), { longs: String }) as Record<
    string,
    unknown
  >;
}

/** A typical request: `example.EchoService/Echo`, correlation_id 7, a 5-byte payload. */
export function typicalRequest(): Uint8Array {
  return brpcFrame({
    request: { service_name: "example.EchoService", method_name: "Echo", log_id: 42 },
    correlation_id: 7,
    attachment_size: 0,
  }, new TextEncoder().encode("hello"));
}

/** A typical successful response to {@link typicalRequest}. */
export function typicalResponse(): Uint8Array {
  return brpcFrame({ response: { error_code: 0 }, correlation_id: 7 }, new Uint8Array([1, 2]));
}
