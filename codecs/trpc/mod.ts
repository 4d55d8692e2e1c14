/**
 * The tRPC codec: fixed header plus protobuf `RequestProtocol` / `ResponseProtocol`
 * headers and stream frames (data-plane spec §5.3). Pure; imports only the codec contract.
 *
 * @module
 */
export { trpcCodec } from "./trpc_codec.ts";
export { TRPC_NO_SERVICE_ERR, TRPC_SYSTEM_ERR } from "./_encode.ts";
export type { TrpcDetail } from "./_decode.ts";
