/**
 * gRPC helpers for the proxy's control-plane clients (RDS, global rate limit).
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { clientConstructor, clusterTargets, insecure, methodDefinition, type Msg } from "./grpc.ts";
export { encodeBase64, structBytes, toStruct } from "./struct.ts";
