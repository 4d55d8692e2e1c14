/**
 * Istio `DestinationRule` — subsets (Istio builds `outbound|port|subset|host` clusters from
 * them) and the consistent-hash key Aeraki turns into a MetaProtocol hash policy.
 *
 * @module
 */
import { Schema } from "effect";
import { IstioApiVersion, Labels, WorkloadSelector } from "./istio_common.ts";
import { ObjectMeta } from "./object_meta.ts";

/** Istio's consistent-hash load balancer settings. */
export const ConsistentHash = Schema.Struct({
  httpHeaderName: Schema.optionalKey(Schema.String),
  httpCookie: Schema.optionalKey(Schema.Struct({
    name: Schema.String,
    path: Schema.optionalKey(Schema.String),
    ttl: Schema.optionalKey(Schema.String),
  })),
  useSourceIp: Schema.optionalKey(Schema.Boolean),
  httpQueryParameterName: Schema.optionalKey(Schema.String),
  minimumRingSize: Schema.optionalKey(Schema.Number),
});

/** Istio's load balancer settings. */
export const LoadBalancerSettings = Schema.Struct({
  simple: Schema.optionalKey(Schema.String),
  consistentHash: Schema.optionalKey(ConsistentHash),
});

/** Istio's traffic policy (the parts Aeraki reads; others kept opaque). */
export const TrafficPolicy = Schema.Struct({
  loadBalancer: Schema.optionalKey(LoadBalancerSettings),
  connectionPool: Schema.optionalKey(Schema.Unknown),
  outlierDetection: Schema.optionalKey(Schema.Unknown),
  tls: Schema.optionalKey(Schema.Unknown),
  portLevelSettings: Schema.optionalKey(Schema.Array(Schema.Unknown)),
});
/** Istio's traffic policy. */
export type TrafficPolicy = typeof TrafficPolicy.Type;

/** A named subset of a service's endpoints. */
export const Subset = Schema.Struct({
  name: Schema.String,
  labels: Schema.optionalKey(Labels),
  trafficPolicy: Schema.optionalKey(TrafficPolicy),
});
/** A named subset. */
export type Subset = typeof Subset.Type;

/** The spec of a DestinationRule. */
export const DestinationRuleSpec = Schema.Struct({
  host: Schema.String,
  trafficPolicy: Schema.optionalKey(TrafficPolicy),
  subsets: Schema.optionalKey(Schema.Array(Subset)),
  exportTo: Schema.optionalKey(Schema.Array(Schema.String)),
  workloadSelector: Schema.optionalKey(WorkloadSelector),
});
/** The spec of a DestinationRule. */
export type DestinationRuleSpec = typeof DestinationRuleSpec.Type;

/** An Istio DestinationRule object. */
export const DestinationRule = Schema.Struct({
  apiVersion: IstioApiVersion,
  kind: Schema.Literal("DestinationRule"),
  metadata: ObjectMeta,
  spec: DestinationRuleSpec,
});
/** An Istio DestinationRule object. */
export type DestinationRule = typeof DestinationRule.Type;

/**
 * The MetaProtocol hash key for a route: the subset's `consistentHash.httpHeaderName` when the
 * route has a subset (no fall back to the top level, as upstream), else the top-level one.
 */
export function consistentHashHeader(
  rule: DestinationRuleSpec,
  subset: string | undefined,
): string | undefined {
  const policy = subset
    ? rule.subsets?.find((s) => s.name === subset)?.trafficPolicy
    : rule.trafficPolicy;
  return policy?.loadBalancer?.consistentHash?.httpHeaderName;
}
