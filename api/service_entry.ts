/**
 * Istio `ServiceEntry` — Aeraki's service inventory (real, or synthetic for every Kubernetes
 * Service). `hosts[0]` is the service, `addresses` the VIPs, `ports` select the protocol by
 * name. Fields the control plane does not read are dropped on decode.
 *
 * @module
 */
import { Schema } from "effect";
import { IstioApiVersion, IstioPort, Labels, WorkloadSelector } from "./istio_common.ts";
import { ObjectMeta } from "./object_meta.ts";

/** An endpoint of a ServiceEntry. */
export const WorkloadEntrySpec = Schema.Struct({
  address: Schema.optionalKey(Schema.String),
  ports: Schema.optionalKey(Schema.Record(Schema.String, Schema.Number)),
  labels: Schema.optionalKey(Labels),
  network: Schema.optionalKey(Schema.String),
  locality: Schema.optionalKey(Schema.String),
  weight: Schema.optionalKey(Schema.Number),
  serviceAccount: Schema.optionalKey(Schema.String),
});

/** The spec of a ServiceEntry. */
export const ServiceEntrySpec = Schema.Struct({
  hosts: Schema.Array(Schema.String),
  addresses: Schema.optionalKey(Schema.Array(Schema.String)),
  ports: Schema.optionalKey(Schema.Array(IstioPort)),
  location: Schema.optionalKey(Schema.Literals(["MESH_EXTERNAL", "MESH_INTERNAL"])),
  resolution: Schema.optionalKey(
    Schema.Literals(["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"]),
  ),
  endpoints: Schema.optionalKey(Schema.Array(WorkloadEntrySpec)),
  workloadSelector: Schema.optionalKey(WorkloadSelector),
  exportTo: Schema.optionalKey(Schema.Array(Schema.String)),
  subjectAltNames: Schema.optionalKey(Schema.Array(Schema.String)),
});
/** The spec of a ServiceEntry. */
export type ServiceEntrySpec = typeof ServiceEntrySpec.Type;

/** An Istio ServiceEntry object. */
export const ServiceEntry = Schema.Struct({
  apiVersion: IstioApiVersion,
  kind: Schema.Literal("ServiceEntry"),
  metadata: ObjectMeta,
  spec: ServiceEntrySpec,
});
/** An Istio ServiceEntry object. */
export type ServiceEntry = typeof ServiceEntry.Type;
