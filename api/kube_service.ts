/**
 * Kubernetes `Service` and its conversion into the synthetic ServiceEntry Istiod serves for it
 * (spec §2.2, Istio's `ServiceToServiceEntry`): this is how `tcp-metaprotocol-…` ports on a
 * plain Service reach Aeraki.
 *
 * @module
 */
import { Schema } from "effect";
import { Labels } from "./istio_common.ts";
import { PortNumber } from "./names.ts";
import { ObjectMeta } from "./object_meta.ts";
import { portNameProblem } from "./port_protocol.ts";
import type { ServiceEntry } from "./service_entry.ts";

/** A port of a Service. */
export const ServicePort = Schema.Struct({
  name: Schema.optionalKey(
    Schema.String.check(Schema.makeFilter((n: string) => portNameProblem(n))),
  ),
  port: PortNumber,
  targetPort: Schema.optionalKey(Schema.Union([Schema.Number, Schema.String])),
  protocol: Schema.optionalKey(Schema.Literals(["TCP", "UDP", "SCTP"])),
  appProtocol: Schema.optionalKey(Schema.String),
  nodePort: Schema.optionalKey(Schema.Number),
});
/** A port of a Service. */
export type ServicePort = typeof ServicePort.Type;

/** The spec of a Service (the parts the control plane reads). */
export const ServiceSpec = Schema.Struct({
  type: Schema.optionalKey(
    Schema.Literals(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]),
  ),
  clusterIP: Schema.optionalKey(Schema.String),
  clusterIPs: Schema.optionalKey(Schema.Array(Schema.String)),
  ports: Schema.optionalKey(Schema.Array(ServicePort)),
  selector: Schema.optionalKey(Labels),
  externalName: Schema.optionalKey(Schema.String),
});
/** The spec of a Service. */
export type ServiceSpec = typeof ServiceSpec.Type;

/** A Kubernetes Service object. */
export const Service = Schema.Struct({
  apiVersion: Schema.Literal("v1"),
  kind: Schema.Literal("Service"),
  metadata: ObjectMeta,
  spec: ServiceSpec,
});
/** A Kubernetes Service object. */
export type Service = typeof Service.Type;

/** The annotation Istio reads a Service's `exportTo` from (comma-separated). */
export const EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";

/** Options for {@link serviceToServiceEntry}. */
export interface SyntheticServiceEntryOptions {
  /**
   * The cluster DNS domain.
   * @default "cluster.local"
   */
  readonly domain?: string;
}

const ISTIO_PROTOCOLS = ["http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "mongo"]
  .concat(["redis", "mysql", "udp", "thrift"]);

/** Istio's protocol for a Service port: `appProtocol`, else the port-name prefix, else TCP. */
function istioProtocol(port: ServicePort): string {
  const byName = (port.name ?? "").toLowerCase();
  const prefix = ISTIO_PROTOCOLS.find((p) => byName === p || byName.startsWith(`${p}-`));
  const chosen = port.appProtocol?.toLowerCase() ?? prefix;
  if (port.protocol === "UDP") return "UDP";
  return (chosen && ISTIO_PROTOCOLS.includes(chosen) ? chosen : "tcp").toUpperCase();
}

/**
 * The synthetic ServiceEntry Istiod derives from a Service: `synthetic-<name>`, host
 * `<name>.<ns>.svc.<domain>`, the ClusterIP(s) as addresses, the named ports, the selector as
 * workload selector, `STATIC` resolution (`NONE` when headless) and `exportTo` from the
 * `networking.istio.io/exportTo` annotation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serviceToServiceEntry } from "./kube_service.ts";
 * const se = serviceToServiceEntry({
 *   apiVersion: "v1", kind: "Service",
 *   metadata: { name: "thrift-sample-server", namespace: "meta-thrift" },
 *   spec: { clusterIP: "10.0.0.7", ports: [{ name: "tcp-metaprotocol-thrift", port: 9090 }] },
 * });
 * assert.deepEqual(se.spec.hosts, ["thrift-sample-server.meta-thrift.svc.cluster.local"]);
 * assert.deepEqual(se.spec.addresses, ["10.0.0.7"]);
 * ```
 */
export function serviceToServiceEntry(
  service: Service,
  options: SyntheticServiceEntryOptions = {},
): ServiceEntry {
  const { name, namespace = "default", labels, annotations } = service.metadata;
  const spec = service.spec;
  const headless = spec.clusterIP === "None";
  const ips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []))
    .filter((ip) => ip !== "" && ip !== "None");
  const exportTo = annotations?.[EXPORT_TO_ANNOTATION]?.split(",").map((s) => s.trim())
    .filter((s) => s !== "");
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: {
      name: `synthetic-${name}`,
      namespace,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      hosts: [`${name}.${namespace}.svc.${options.domain ?? "cluster.local"}`],
      ...(headless || ips.length === 0 ? {} : { addresses: ips }),
      ports: (spec.ports ?? []).map((p) => ({
        number: p.port,
        protocol: istioProtocol(p),
        ...(p.name !== undefined ? { name: p.name } : {}),
      })),
      location: "MESH_INTERNAL",
      resolution: headless ? "NONE" : "STATIC",
      ...(spec.selector ? { workloadSelector: { labels: spec.selector } } : {}),
      ...(exportTo?.length ? { exportTo } : {}),
    },
  };
}
