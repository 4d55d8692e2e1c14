/**
 * gRPC plumbing shared by the proxy's control-plane clients (RDS, global rate limit):
 * method definitions whose (de)serializers are the bundled protobufjs types, and channel
 * targets for a cluster's endpoints.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import { lookupType } from "../../proto/mod.ts";
import type { ClusterModel } from "../config/model.ts";

/** A plain message with proto (snake_case) field names, enums as names. */
export type Msg = Record<string, unknown>;

function codec(name: string) {
  const type = lookupType(name);
  if (!type) throw new Error(`Cannot find message type "${name}" in the bundled protos`);
  return {
    serialize: (m: Msg) => Buffer.from(type.encode(type.fromObject(m)).finish()),
    deserialize: (b: Uint8Array): Msg =>
      type.toObject(type.decode(b), { enums: String, longs: Number, defaults: false }),
  };
}

/** A gRPC method over protobufjs types; `stream` = bidirectional streaming. */
export function methodDefinition(
  path: string,
  types: { readonly request: string; readonly response: string; readonly stream?: boolean },
): grpc.MethodDefinition<Msg, Msg> {
  const req = codec(types.request);
  const res = codec(types.response);
  // protobufjs generates its encoders and decoders on first use; do it now, not inside the
  // first call's (possibly 20 ms) deadline.
  req.deserialize(req.serialize({}));
  res.deserialize(res.serialize({}));
  return {
    path,
    requestStream: types.stream ?? false,
    responseStream: types.stream ?? false,
    requestSerialize: req.serialize,
    requestDeserialize: req.deserialize,
    responseSerialize: res.serialize,
    responseDeserialize: res.deserialize,
  };
}

/** A client constructor for one service's methods. */
export function clientConstructor(
  methods: Readonly<Record<string, grpc.MethodDefinition<Msg, Msg>>>,
  serviceName: string,
): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(methods as grpc.ServiceDefinition, serviceName);
}

/** `host:port` targets of a cluster's endpoints that may receive traffic. */
export function clusterTargets(cluster: ClusterModel): string[] {
  return cluster.endpoints
    .filter((e) => e.health === "healthy" || e.health === "unknown")
    .map((e) => (e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`));
}

/** Plain-text (insecure) channel credentials: bootstrap clusters here carry no TLS. */
export function insecure(): grpc.ChannelCredentials {
  return grpc.credentials.createInsecure();
}
