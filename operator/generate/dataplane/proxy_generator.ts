/**
 * Everything our proxy needs from one snapshot: listeners, clusters, endpoints and the
 * MetaProtocol route configurations (the same ones Envoy sidecars get over RDS), with the
 * problems found. Memoized per ServiceEntry like {@link MeshGenerator}: a service's resources
 * are rebuilt only when its ServiceEntry, DestinationRule, EndpointSlices, the
 * ApplicationProtocols or the mesh config changed. A MetaRouter change hands back the same
 * listener, cluster and endpoint lists; a DestinationRule change visits only the services of
 * the hosts it names and writes their resources in place; other changes take a full pass.
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

/** Where a service's resources start in the collected lists. */
interface Offsets {
  readonly listeners: number;
  readonly clusters: number;
  readonly loadAssignments: number;
  /** No listener of the service lost to an earlier one of the same name. */
  readonly ownsListeners: boolean;
}

/** Whether `b` can be written over `a` in place: same counts and listener names, no problems. */
function sameShape(a: ServiceResources, b: ServiceResources): boolean {
  return a.listeners.length === b.listeners.length && a.clusters.length === b.clusters.length &&
    a.loadAssignments.length === b.loadAssignments.length &&
    a.listeners.every((l, i) => l.name === b.listeners[i].name) &&
    a.problems.length === 0 && b.problems.length === 0;
}

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
  #problemInputs: readonly unknown[] = [];
  /** Where each service's resources start in the last lists. */
  #layout?: Map<ServiceEntry, Offsets>;

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
      // Only the DestinationRules changed: patch the services of their hosts in place.
      const rulesOnly = this.#last !== undefined &&
        inputs.every((x, i) => (i === 1 ? x !== this.#lastInputs[i] : x === this.#lastInputs[i]));
      this.#lastInputs = inputs;
      if (!rulesOnly || !this.#patchRules(snapshot)) this.#services(snapshot);
    }
    const last = this.#last!;
    // Unchanged problem lists (the usual MetaRouter edit): keep the sorted merge.
    const problems = this.#problemInputs[0] === mesh.problems &&
        this.#problemInputs[1] === this.#ownProblems
      ? last.problems
      : sortProblems([...mesh.problems, ...this.#ownProblems]);
    this.#problemInputs = [mesh.problems, this.#ownProblems];
    if (last.routeConfigurations === mesh.routeConfigurations && last.problems === problems) {
      return last;
    }
    return this.#last = { ...last, routeConfigurations: mesh.routeConfigurations, problems };
  }

  /**
   * After a change of DestinationRules alone, regenerates only the services of the hosts whose
   * rules changed and writes their resources over the old ones in place, when each keeps its
   * shape (as many listeners, clusters and load assignments, the same listener names, all its
   * own, and no problems). `false` when it cannot, leaving every memo as it was.
   */
  #patchRules(snapshot: ProxySnapshot): boolean {
    const index = new ServiceIndex(snapshot, this.#options, this.#index);
    const hosts = index.changedHosts("destinationRules"), layout = this.#layout, last = this.#last;
    if (!hosts || !layout || !last) return false;
    const kube = this.#kubeEndpoints(snapshot, index.options.domain);
    const writes: { at: Offsets; entry: Memo }[] = [];
    for (const host of hosts) {
      const se = index.service(host);
      const at = se && layout.get(se), prev = se && this.#memo.get(se);
      if (!se || !at || !prev) continue;
      const deps = this.#deps(se, index, kube, snapshot);
      if (sameDeps(prev.deps, deps)) continue;
      const entry = { deps, output: buildServiceResources(se, index, kube) };
      if (!sameShape(prev.output, entry.output) || !at.ownsListeners) return false;
      writes.push({ at, entry });
    }
    const listeners = last.listeners.slice(), clusters = last.clusters.slice();
    const loadAssignments = last.loadAssignments.slice();
    for (const { at, entry } of writes) {
      const o = entry.output;
      o.listeners.forEach((x, i) => listeners[at.listeners + i] = x);
      o.clusters.forEach((x, i) => clusters[at.clusters + i] = x);
      o.loadAssignments.forEach((x, i) => loadAssignments[at.loadAssignments + i] = x);
      this.#memo.set(entry.deps[0] as ServiceEntry, entry);
    }
    this.#index = index;
    if (writes.length > 0) this.#last = { ...last, listeners, clusters, loadAssignments };
    return true;
  }

  #deps(se: ServiceEntry, index: ServiceIndex, kube: KubeEndpoints, snapshot: ProxySnapshot) {
    const host = se.spec.hosts[0];
    return [
      se,
      index.destinationRuleFor(host, se.metadata.namespace ?? ""),
      kube.slicesOf(host),
      snapshot.applicationProtocols,
      snapshot.meshConfig,
    ];
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
      const deps = this.#deps(se, index, kube, snapshot);
      const prev = this.#memo.get(se);
      const entry = prev && sameDeps(prev.deps, deps)
        ? prev
        : { deps, output: buildServiceResources(se, index, kube) };
      memo.set(se, entry);
      if (entry !== prev) changed = true;
      out.add(se, entry.output);
    }
    // Unchanged services: hand back the same lists, so consumers can skip them by identity.
    const same = !changed && memo.size === this.#memo.size ? this.#last : undefined;
    this.#index = index;
    this.#memo = memo;
    this.#layout = out.layout;
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
  readonly layout = new Map<ServiceEntry, Offsets>();
  readonly #owners = new Map<string, string>();

  add(se: ServiceEntry, output: ServiceResources): void {
    const ref = objectRef(se);
    let ownsListeners = true;
    this.layout.set(se, {
      listeners: this.listeners.length,
      clusters: this.clusters.length,
      loadAssignments: this.loadAssignments.length,
      get ownsListeners() {
        return ownsListeners;
      },
    });
    for (const l of output.listeners) {
      const first = this.#owners.get(l.name);
      if (first === undefined) {
        this.#owners.set(l.name, ref);
        this.listeners.push(l);
        continue;
      }
      ownsListeners = false;
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
