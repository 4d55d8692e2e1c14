/**
 * Everything our proxy needs from one snapshot: listeners, clusters, endpoints and the
 * MetaProtocol route configurations (the same ones Envoy sidecars get over RDS), with the
 * problems found. Memoized per ServiceEntry like {@link MeshGenerator}: a service's resources
 * are rebuilt only when its ServiceEntry, DestinationRule, EndpointSlices, the
 * ApplicationProtocols or the mesh config changed.
 *
 * @module
 */
import type { ServiceEntry } from "../../../api/mod.ts";
import { MeshGenerator, type MeshGeneratorOptions, sortProblems } from "../generator.ts";
import { ServiceIndex } from "../service_index.ts";
import {
  type GenerateProblem,
  type MeshSnapshot,
  objectRef,
  type RouteConfiguration,
} from "../snapshot.ts";
import { type EndpointSlice, KubeEndpoints, type PodObject } from "./endpoints.ts";
import {
  buildServiceResources,
  type LoadAssignment,
  type NamedResource,
  type ServiceResources,
} from "./service_resources.ts";

/** A mesh snapshot plus what Kubernetes says about endpoints (absent outside Kubernetes). */
export interface ProxySnapshot extends MeshSnapshot {
  /** EndpointSlices, for Kubernetes Services' synthetic ServiceEntries. */
  readonly endpointSlices?: readonly EndpointSlice[];
  /** Pods, whose labels subsets select EndpointSlice endpoints by. */
  readonly pods?: readonly PodObject[];
}

/** The xDS resources of our proxy, each list in a deterministic order, and the problems. */
export interface ProxyResources {
  readonly listeners: readonly NamedResource[];
  readonly clusters: readonly NamedResource[];
  readonly loadAssignments: readonly LoadAssignment[];
  readonly routeConfigurations: readonly RouteConfiguration[];
  readonly problems: readonly GenerateProblem[];
}

interface Memo {
  readonly deps: readonly unknown[];
  readonly output: ServiceResources;
}

const NONE: readonly never[] = [];

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function problemKey(p: GenerateProblem): string {
  return `${p.object}\n${p.field}\n${p.message}`;
}

/**
 * Generates our proxy's resources from successive snapshots. Snapshots must be immutable, and
 * unchanged objects and lists must keep their identity (see `generator.ts`). Not safe to share
 * between concurrent callers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProxyGenerator } from "./proxy_generator.ts";
 * import { EMPTY_SNAPSHOT } from "../snapshot.ts";
 * const out = new ProxyGenerator().generate(EMPTY_SNAPSHOT);
 * assert.deepEqual(out.clusters, []);
 * ```
 */
export class ProxyGenerator {
  readonly #options: MeshGeneratorOptions;
  readonly #mesh: MeshGenerator;
  #index?: ServiceIndex;
  #kube?: { slices: unknown; pods: unknown; endpoints: KubeEndpoints };
  #memo = new Map<ServiceEntry, Memo>();
  #last?: ProxyResources;
  #lastInputs: readonly unknown[] = [];
  #ownProblems: readonly GenerateProblem[] = [];

  /** A generator with fixed options; routes are always served over RDS (ADS). */
  constructor(options: MeshGeneratorOptions = {}) {
    this.#options = { ...options, routes: "rds" };
    this.#mesh = new MeshGenerator(this.#options);
  }

  #kubeEndpoints(snapshot: ProxySnapshot, domain: string): KubeEndpoints {
    const slices = snapshot.endpointSlices ?? NONE, pods = snapshot.pods ?? NONE;
    if (this.#kube?.slices !== slices || this.#kube.pods !== pods) {
      this.#kube = { slices, pods, endpoints: new KubeEndpoints(slices, pods, domain) };
    }
    return this.#kube.endpoints;
  }

  /** The resources for `snapshot`; pure apart from the memo it keeps. */
  generate(snapshot: ProxySnapshot): ProxyResources {
    const mesh = this.#mesh.generate(snapshot);
    // What our resources read besides MetaRouters: unchanged lists mean unchanged resources.
    const inputs = [
      snapshot.serviceEntries,
      snapshot.destinationRules,
      snapshot.applicationProtocols,
      snapshot.meshConfig,
      snapshot.endpointSlices,
      snapshot.pods,
    ];
    if (!this.#last || !sameDeps(inputs, this.#lastInputs)) {
      this.#lastInputs = inputs;
      this.#services(snapshot);
    }
    return this.#last = {
      ...this.#last!,
      routeConfigurations: mesh.routeConfigurations,
      problems: sortProblems([...mesh.problems, ...this.#ownProblems]),
    };
  }

  /** Regenerates the services whose inputs changed and collects every service's resources. */
  #services(snapshot: ProxySnapshot): void {
    const index = new ServiceIndex(snapshot, this.#options, this.#index);
    const kube = this.#kubeEndpoints(snapshot, index.options.domain);
    const memo = new Map<ServiceEntry, Memo>();
    const out = new Collector();
    let changed = this.#last === undefined;
    for (const se of index.sortedServiceEntries()) {
      const host = se.spec.hosts[0];
      // No host, or a second ServiceEntry for one: the mesh generator reports it.
      if (!host || index.service(host) !== se) continue;
      const deps = [
        se,
        index.destinationRuleFor(host, se.metadata.namespace ?? ""),
        kube.slicesOf(host),
        snapshot.applicationProtocols,
        snapshot.meshConfig,
      ];
      const prev = this.#memo.get(se);
      const entry = prev && sameDeps(prev.deps, deps)
        ? prev
        : { deps, output: buildServiceResources(se, index, kube) };
      memo.set(se, entry);
      if (entry !== prev) changed = true;
      out.add(objectRef(se), entry.output);
    }
    // Unchanged services: hand back the same lists, so consumers can skip them by identity.
    const same = !changed && memo.size === this.#memo.size ? this.#last : undefined;
    this.#index = index;
    this.#memo = memo;
    this.#ownProblems = [...out.problems.values()];
    this.#last = {
      listeners: same?.listeners ?? out.listeners,
      clusters: same?.clusters ?? out.clusters,
      loadAssignments: same?.loadAssignments ?? out.loadAssignments,
      routeConfigurations: [],
      problems: [],
    };
  }
}

/** Gathers the services' resources; a listener name two services claim goes to the first. */
class Collector {
  readonly listeners: NamedResource[] = [];
  readonly clusters: NamedResource[] = [];
  readonly loadAssignments: LoadAssignment[] = [];
  readonly problems = new Map<string, GenerateProblem>();
  readonly #owners = new Map<string, string>();

  add(ref: string, output: ServiceResources): void {
    for (const l of output.listeners) {
      const first = this.#owners.get(l.name);
      if (first === undefined) {
        this.#owners.set(l.name, ref);
        this.listeners.push(l);
        continue;
      }
      this.#problem({
        object: ref,
        field: "spec.addresses",
        message: `Change the address or port: listener "${l.name}" already belongs to ${first}`,
      });
    }
    this.clusters.push(...output.clusters);
    this.loadAssignments.push(...output.loadAssignments);
    for (const p of output.problems) this.#problem(p);
  }

  #problem(p: GenerateProblem): void {
    this.problems.set(problemKey(p), p);
  }
}

/** {@link ProxyGenerator} for one snapshot. */
export function buildProxyResources(
  snapshot: ProxySnapshot,
  options: MeshGeneratorOptions = {},
): ProxyResources {
  return new ProxyGenerator(options).generate(snapshot);
}
