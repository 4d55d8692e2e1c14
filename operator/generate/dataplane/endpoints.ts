/**
 * Endpoints of a service port for our proxy: a ServiceEntry's static `endpoints`, or — for a
 * Kubernetes Service's synthetic ServiceEntry without them — its EndpointSlices (ready
 * endpoints only, labels from the pods they name), filtered by a subset's labels and grouped
 * by locality as an Envoy `ClusterLoadAssignment` (proto3 JSON), sorted so output is stable.
 *
 * @module
 */
import type { IstioPort, ServiceEntry } from "../../../api/mod.ts";
import { fqdn } from "../names.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";

/** A `discovery.k8s.io/v1` EndpointSlice, the fields endpoint generation reads. */
export interface EndpointSlice {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly addressType?: string;
  readonly endpoints?: ReadonlyArray<{
    readonly addresses: readonly string[];
    readonly conditions?: { readonly ready?: boolean };
    readonly targetRef?: {
      readonly kind?: string;
      readonly name?: string;
      readonly namespace?: string;
    };
    readonly zone?: string;
  }>;
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port?: number }>;
}

/** A pod, for the labels subsets select EndpointSlice endpoints by. */
export interface PodObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

/** The label naming an EndpointSlice's Service. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

/** One endpoint before grouping: where it is, its labels, weight and locality. */
export interface EndpointDraft {
  readonly address: string;
  readonly port: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly weight?: number;
  readonly locality?: string;
}

/** EndpointSlices indexed by the host of their Service, with pod labels resolved. */
export class KubeEndpoints {
  readonly #byHost = new Map<string, { slice: EndpointSlice; pods: PodLookup }[]>();

  /** Indexes `slices` by `<service>.<namespace>.svc.<domain>`. */
  constructor(
    slices: readonly EndpointSlice[],
    pods: readonly PodObject[],
    domain = "cluster.local",
  ) {
    const byPod = new Map(pods.map((p) => [`${p.metadata.namespace ?? ""}/${p.metadata.name}`, p]));
    const lookup: PodLookup = (ns, name) => byPod.get(`${ns}/${name}`)?.metadata.labels;
    for (const slice of slices) {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!service) continue;
      const host = fqdn(service, slice.metadata.namespace ?? "default", domain);
      const list = this.#byHost.get(host) ?? [];
      list.push({ slice, pods: lookup });
      this.#byHost.set(host, list);
    }
  }

  /** The slices of a host, for memo keys (the same array while nothing changed). */
  slicesOf(host: string): readonly unknown[] {
    return this.#byHost.get(host) ?? NONE;
  }

  /** The ready endpoints of `host` on the slice port named like `port`. */
  endpoints(host: string, port: IstioPort): EndpointDraft[] {
    const out: EndpointDraft[] = [];
    for (const { slice, pods } of this.#byHost.get(host) ?? []) {
      const slicePort = (slice.ports ?? []).find((p) => (p.name ?? "") === (port.name ?? ""));
      if (slicePort?.port === undefined) continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        const ref = ep.targetRef;
        const labels = ref?.kind === "Pod" && ref.name
          ? pods(ref.namespace ?? slice.metadata.namespace ?? "", ref.name) ?? {}
          : {};
        for (const address of ep.addresses) {
          out.push({
            address,
            port: slicePort.port,
            labels,
            ...(ep.zone ? { locality: `/${ep.zone}` } : {}),
          });
        }
      }
    }
    return out;
  }
}

type PodLookup = (namespace: string, name: string) => Readonly<Record<string, string>> | undefined;
const NONE: readonly never[] = [];

/** The static endpoints of `se` on `port`, and problems with their fields. */
export function serviceEntryEndpoints(
  se: ServiceEntry,
  port: IstioPort,
): { endpoints: EndpointDraft[]; problems: GenerateProblem[] } {
  const endpoints: EndpointDraft[] = [];
  const problems: GenerateProblem[] = [];
  (se.spec.endpoints ?? []).forEach((ep, i) => {
    if (!ep.address) {
      problems.push({
        object: objectRef(se),
        field: `spec.endpoints[${i}].address`,
        message: "Add an address: an endpoint without one cannot receive traffic",
      });
      return;
    }
    const target = (port.name !== undefined ? ep.ports?.[port.name] : undefined) ??
      port.targetPort ?? port.number;
    endpoints.push({
      address: ep.address,
      port: target,
      labels: ep.labels ?? {},
      ...(ep.weight ? { weight: ep.weight } : {}),
      ...(ep.locality ? { locality: ep.locality } : {}),
    });
  });
  return { endpoints, problems };
}

/** Whether `labels` has every label of `selector`. */
export function matchesLabels(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels[k] !== v) return false;
  return true;
}

function socketAddress(address: string, port: number): Record<string, unknown> {
  if (address.startsWith("unix://")) return { pipe: { path: address.slice("unix://".length) } };
  return { socketAddress: { address, portValue: port } };
}

function locality(text: string): Record<string, string> {
  const [region = "", zone = "", subZone = ""] = text.split("/");
  return {
    ...(region ? { region } : {}),
    ...(zone ? { zone } : {}),
    ...(subZone ? { subZone } : {}),
  };
}

const byAddress = (a: EndpointDraft, b: EndpointDraft) =>
  a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port;

/**
 * The `ClusterLoadAssignment` of `clusterName` from the endpoints `selector` matches,
 * grouped by locality (sorted), each group sorted by address and port.
 */
export function buildLoadAssignment(
  clusterName: string,
  endpoints: readonly EndpointDraft[],
  selector?: Readonly<Record<string, string>>,
): Record<string, unknown> & { clusterName: string } {
  const groups = new Map<string, EndpointDraft[]>();
  for (const ep of endpoints) {
    if (!matchesLabels(ep.labels, selector)) continue;
    const key = ep.locality ?? "";
    const list = groups.get(key) ?? [];
    list.push(ep);
    groups.set(key, list);
  }
  const keys = [...groups.keys()].sort();
  return {
    clusterName,
    endpoints: keys.map((key) => ({
      ...(key ? { locality: locality(key) } : {}),
      lbEndpoints: groups.get(key)!.sort(byAddress).map((ep) => ({
        endpoint: { address: socketAddress(ep.address, ep.port) },
        ...(ep.weight ? { loadBalancingWeight: ep.weight } : {}),
      })),
    })),
  };
}
