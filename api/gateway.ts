/**
 * Istio `Gateway` — a server whose port name parses as MetaProtocol
 * (`tcp-metaprotocol-thrift-9090`) makes Aeraki generate a gateway listener.
 *
 * @module
 */
import { Schema } from "effect";
import { IstioApiVersion, IstioPort, Labels } from "./istio_common.ts";
import { ObjectMeta } from "./object_meta.ts";

/** One server (listener) of a gateway. */
export const GatewayServer = Schema.Struct({
  port: IstioPort,
  hosts: Schema.optionalKey(Schema.Array(Schema.String)),
  bind: Schema.optionalKey(Schema.String),
  name: Schema.optionalKey(Schema.String),
  tls: Schema.optionalKey(Schema.Unknown),
});
/** One server of a gateway. */
export type GatewayServer = typeof GatewayServer.Type;

/** The spec of a Gateway. */
export const GatewaySpec = Schema.Struct({
  selector: Schema.optionalKey(Labels),
  servers: Schema.optionalKey(Schema.Array(GatewayServer)),
});
/** The spec of a Gateway. */
export type GatewaySpec = typeof GatewaySpec.Type;

/** An Istio Gateway object. */
export const Gateway = Schema.Struct({
  apiVersion: IstioApiVersion,
  kind: Schema.Literal("Gateway"),
  metadata: ObjectMeta,
  spec: GatewaySpec,
});
/** An Istio Gateway object. */
export type Gateway = typeof Gateway.Type;
