/**
 * Pieces shared by the Istio inputs: API versions, ports with Aeraki's port-name check, and
 * workload selectors.
 *
 * @module
 */
import { Schema } from "effect";
import { PortNumber } from "./names.ts";
import { portNameProblem } from "./port_protocol.ts";

/** The `networking.istio.io` versions the control plane accepts. */
export const ISTIO_NETWORKING_VERSIONS = [
  "networking.istio.io/v1alpha3",
  "networking.istio.io/v1beta1",
  "networking.istio.io/v1",
] as const;

/** `apiVersion` of an Istio networking object. */
export const IstioApiVersion = Schema.Literals(ISTIO_NETWORKING_VERSIONS);

/** A port name; a MetaProtocol name must carry its application protocol (quirk Q1). */
export const PortName = Schema.String.check(
  Schema.makeFilter((name: string) => portNameProblem(name)),
);

/** An Istio `Port` (ServiceEntry, Gateway server). */
export const IstioPort = Schema.Struct({
  number: PortNumber,
  protocol: Schema.optionalKey(Schema.String),
  name: Schema.optionalKey(PortName),
  targetPort: Schema.optionalKey(PortNumber),
});
/** An Istio port. */
export type IstioPort = typeof IstioPort.Type;

/** Labels selecting workloads. */
export const Labels = Schema.Record(Schema.String, Schema.String);

/** `workloadSelector` of ServiceEntry / DestinationRule. */
export const WorkloadSelector = Schema.Struct({ labels: Schema.optionalKey(Labels) });

/** Istio's `PortSelector` (`{number}`). */
export const IstioPortSelector = Schema.Struct({ number: Schema.optionalKey(PortNumber) });

/** A destination in a VirtualService route. */
export const IstioDestination = Schema.Struct({
  host: Schema.String,
  subset: Schema.optionalKey(Schema.String),
  port: Schema.optionalKey(IstioPortSelector),
});
/** A destination in a VirtualService route. */
export type IstioDestination = typeof IstioDestination.Type;
