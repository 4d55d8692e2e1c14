/**
 * The bRPC codec: baidu_std frames, a 12-byte header plus a protobuf `RpcMeta`
 * (data-plane spec §5.4). Pure; imports only the codec contract.
 *
 * @module
 */
export { brpcCodec } from "./brpc_codec.ts";
export { BRPC_EINTERNAL, BRPC_ELIMIT, BRPC_ENOSERVICE } from "./_encode.ts";
export type { BrpcDetail } from "./_decode.ts";
