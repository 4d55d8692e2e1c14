/**
 * Istio `VirtualService` — routing for the Envoy-native Dubbo and Thrift filters: HTTP routes
 * whose `match[0].method` is the method and `headers` the attachments, weighted subsets, and
 * TCP routes.
 *
 * @module
 */
import { Schema } from "effect";
import { IstioApiVersion, IstioDestination, Labels } from "./istio_common.ts";
import { PortNumber } from "./names.ts";
import { ObjectMeta } from "./object_meta.ts";
import { StringMatch } from "./string_match.ts";

/** A weighted destination of a VirtualService route. */
export const RouteDestination = Schema.Struct({
  destination: IstioDestination,
  weight: Schema.optionalKey(Schema.Number),
});
/** A weighted destination. */
export type RouteDestination = typeof RouteDestination.Type;

/** One HTTP match (the parts Aeraki reads, plus the common ones). */
export const HttpMatchRequest = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  uri: Schema.optionalKey(StringMatch),
  method: Schema.optionalKey(StringMatch),
  headers: Schema.optionalKey(Schema.Record(Schema.String, StringMatch)),
  port: Schema.optionalKey(PortNumber),
  sourceLabels: Schema.optionalKey(Labels),
  gateways: Schema.optionalKey(Schema.Array(Schema.String)),
});

/** An HTTP route. */
export const HttpRoute = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  match: Schema.optionalKey(Schema.Array(HttpMatchRequest)),
  route: Schema.optionalKey(Schema.Array(RouteDestination)),
  timeout: Schema.optionalKey(Schema.String),
});
/** An HTTP route. */
export type HttpRoute = typeof HttpRoute.Type;

/** A TCP route. */
export const TcpRoute = Schema.Struct({
  match: Schema.optionalKey(Schema.Array(Schema.Struct({
    port: Schema.optionalKey(PortNumber),
    destinationSubnets: Schema.optionalKey(Schema.Array(Schema.String)),
    sourceLabels: Schema.optionalKey(Labels),
    gateways: Schema.optionalKey(Schema.Array(Schema.String)),
  }))),
  route: Schema.optionalKey(Schema.Array(RouteDestination)),
});

/** The spec of a VirtualService. */
export const VirtualServiceSpec = Schema.Struct({
  hosts: Schema.optionalKey(Schema.Array(Schema.String)),
  gateways: Schema.optionalKey(Schema.Array(Schema.String)),
  http: Schema.optionalKey(Schema.Array(HttpRoute)),
  tcp: Schema.optionalKey(Schema.Array(TcpRoute)),
  exportTo: Schema.optionalKey(Schema.Array(Schema.String)),
});
/** The spec of a VirtualService. */
export type VirtualServiceSpec = typeof VirtualServiceSpec.Type;

/** An Istio VirtualService object. */
export const VirtualService = Schema.Struct({
  apiVersion: IstioApiVersion,
  kind: Schema.Literal("VirtualService"),
  metadata: ObjectMeta,
  spec: VirtualServiceSpec,
});
/** An Istio VirtualService object. */
export type VirtualService = typeof VirtualService.Type;
