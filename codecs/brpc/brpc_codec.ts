/**
 * The bRPC codec (`aeraki.meta_protocol.codec.brpc`, baidu_std, data-plane spec §5.4).
 *
 * @module
 */
import type { Codec } from "../codec.ts";
import { decodeBrpc } from "./_decode.ts";
import { encodeBrpc, errorReplyBrpc, rewriteBrpcRequestId } from "./_encode.ts";

/**
 * The bRPC (baidu_std) codec. It checks the 12-byte header (`"PRPC"`, u32 big-endian
 * body_size, u32 big-endian meta_size; meta_size above body_size is invalid) and reads the
 * protobuf `RpcMeta` in place, with a hand-written wire reader:
 *
 * - a frame whose meta has `request` is a `request`, with metadata `service` and `method`
 *   (service_name, method_name) and operation `service/method`; a frame without it is a
 *   `response` (on the response side, or when it has `response`), status `error` when
 *   `error_code` is not 0;
 * - `requestId` is `correlation_id` (unsigned 64-bit);
 * - every `user_fields` entry is metadata too (keys lower-cased; entries named `service`
 *   or `method` are ignored so they cannot spoof the request meta).
 *
 * Unlike upstream, which exposes no metadata and sends empty error replies (spec §9.10),
 * `encode` appends a mutation as `user_fields` entries (a later entry of the same key wins,
 * as in protobuf maps, and brpc servers see them in `Controller::request_user_fields()`);
 * the keys `service` and `method` are `unsupported`. `errorReply` is a response with brpc's
 * error codes: ENOSERVICE (1001) for RouteNotFound and ClusterNotFound, ELIMIT (2004) for
 * OverLimit, EINTERNAL (2001) otherwise, and the message as error_text. `rewriteRequestId`
 * changes correlation_id. bRPC has no heartbeats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { brpcCodec } from "./brpc_codec.ts";
 * const badMagic = new TextEncoder().encode("HTTP/1.1 200 OK\r\n");
 * const result = brpcCodec.decode(badMagic);
 * assert.equal(result.kind, "invalid");
 * ```
 */
export const brpcCodec: Codec = {
  name: "aeraki.meta_protocol.codec.brpc",
  protocol: "brpc",
  decode: decodeBrpc,
  encode: encodeBrpc,
  errorReply: errorReplyBrpc,
  heartbeatReply: () => undefined,
  rewriteRequestId: rewriteBrpcRequestId,
};
