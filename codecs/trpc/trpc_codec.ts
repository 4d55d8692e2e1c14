/**
 * The tRPC codec (`aeraki.meta_protocol.codec.trpc`, data-plane spec §5.3).
 *
 * @module
 */
import type { Codec, Message } from "../codec.ts";
import { decodeTrpc, isTrpcDetail } from "./_decode.ts";
import { rewriteTrpcRequestId } from "./_request_id.ts";
import { encodeTrpc, errorReplyTrpc } from "./_encode.ts";

/**
 * The tRPC codec. It reads the 16-byte fixed header and the protobuf header in place
 * (a hand-written wire reader, no protobuf objects) and exposes:
 *
 * - unary requests: `caller`, `callee`, `func` and every `trans_info` entry (values decoded
 *   as UTF-8, keys lower-cased; trans_info entries named `caller`, `callee`, `func` or
 *   `error_msg` are ignored so they cannot spoof the header); `call_type` 1 (oneway) gives type `oneway`; the operation is `func`;
 * - unary responses (`side: "response"`): `error_msg` when not empty and `trans_info`;
 *   status `error` when `ret` or `func_ret` is not 0;
 * - stream frames: INIT → `stream_init` (request meta as for requests), DATA and FEEDBACK →
 *   `stream_data`, CLOSE → `stream_close_one_way` (close_type 0) or `stream_close_two_way`;
 *   `streamId` set, `requestId` 0.
 *
 * Metadata strings are decoded from the frame on use (`get` decodes one value; iterating
 * decodes all once), so like `frame` the metadata reads the decoder's input bytes: keep them
 * unchanged while the message is in use.
 *
 * `encode` writes a mutation into `trans_info` (entries with the same key, compared
 * case-insensitively, are replaced; every other header byte is kept) and fixes both sizes;
 * stream frames cannot carry a mutation. `rewriteRequestId` changes a unary frame's
 * `request_id` (in place when it fits, else with both sizes fixed). Error replies use code 11 for `RouteNotFound` and
 * 31 otherwise. tRPC has no heartbeats.
 *
 * @example
 * ```ts
 * import { trpcCodec } from "./trpc_codec.ts";
 * const garbage = new Uint8Array([0x12, 0x34]);
 * const result = trpcCodec.decode(garbage);
 * console.assert(result.kind === "invalid");
 * ```
 */
export const trpcCodec: Codec = {
  name: "aeraki.meta_protocol.codec.trpc",
  protocol: "trpc",
  decode: decodeTrpc,
  encode: encodeTrpc,
  errorReply: errorReplyTrpc,
  heartbeatReply: () => undefined,
  rewriteRequestId(message: Message, id: bigint): Uint8Array | undefined {
    const detail = message.detail;
    return isTrpcDetail(detail) ? rewriteTrpcRequestId(message, detail, id) : undefined;
  },
};
