/**
 * The orchestrator: from a {@link MeshSnapshot} to the {@link MeshOutput} — every service's
 * EnvoyFilters and route configurations, every gateway's EnvoyFilters and VirtualServices, and
 * the problems — sorted and deterministic.
 *
 * {@link MeshGenerator} memoizes per service and per gateway: a unit's previous output is
 * reused while every input it read is the same object. When only MetaRouters,
 * DestinationRules or VirtualServices changed (edited, added, deleted, moved to other hosts),
 * only the services of the hosts they name are checked and the changed outputs are patched
 * into the previous merged output, so the cost follows the change, not the mesh (a scan of
 * the changed list's pointers and a copy of each edited output list aside). Any other change
 * takes a pass over every service. Snapshots must therefore be immutable, and unchanged
 * objects and lists must keep their identity between snapshots.
 *
 * @module
 */
import type { Gateway, ServiceEntry } from "../../api/mod.ts";
import type { ProtocolGenerator } from "./context.ts";
import { Assembler, type Unit } from "./_assemble.ts";
import { type GatewayEntry, GatewayRouters, gatewayUnit } from "./_gateway_unit.ts";
import {
  type Changed,
  changedLists,
  type CheckPlan,
  checkPlan,
  depsUnchanged,
  generateService,
  type ServiceDeps,
  type UnitOutput,
} from "./_service_unit.ts";
import { buildAccessLog } from "./metaprotocol/observability.ts";
import { PROTOCOL_GENERATORS } from "./protocols.ts";
import { byNamespaceAndName, ServiceIndex } from "./service_index.ts";
import {
  type GenerateOptions,
  type GenerateProblem,
  type MeshOutput,
  type MeshSnapshot,
  objectRef,
} from "./snapshot.ts";

export { sortProblems } from "./_assemble.ts";

/** Options of {@link MeshGenerator}: generation options plus the protocol generators. */
export interface MeshGeneratorOptions extends GenerateOptions {
  /** Protocol name → generator. @default PROTOCOL_GENERATORS */
  readonly generators?: Readonly<Record<string, ProtocolGenerator>>;
}

/** Where each unit sits in the merged units, and the services of each `hosts[0]`. */
interface UnitOrder {
  readonly services: Map<ServiceEntry, number>;
  readonly gateways: Map<string, number>;
  readonly byHost: Map<string, ServiceEntry[]>;
}

/** Lists whose change needs a full pass (every service may read them). */
const PATCHABLE_NOT = [
  "serviceEntries",
  "gateways",
  "applicationProtocols",
  "secrets",
  "dubboAuthorizationPolicies",
  "redisServices",
  "redisDestinations",
  "meshConfig",
] as const;

function addByHost(map: Map<string, ServiceEntry[]>, se: ServiceEntry): void {
  const host = se.spec.hosts[0];
  if (host === undefined) return;
  const list = map.get(host);
  if (list) list.push(se);
  else map.set(host, [se]);
}

/** A memoized service; also the unit the assembler receives, so reuse allocates nothing. */
interface ServiceEntryState extends Unit {
  readonly ref: string;
  readonly deps: ServiceDeps;
  readonly output: UnitOutput;
}

/**
 * Generates mesh outputs from successive snapshots, reusing the output of every service and
 * gateway whose inputs are unchanged. Not safe to share between concurrent callers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MeshGenerator } from "./generator.ts";
 * import { EMPTY_SNAPSHOT } from "./snapshot.ts";
 * const generator = new MeshGenerator({ rootNamespace: "istio-system" });
 * const output = generator.generate(EMPTY_SNAPSHOT);
 * assert.equal(output.envoyFilters.length, 0);
 * // The memo: the same snapshot again gives the same output object lists.
 * assert.deepEqual(generator.generate(EMPTY_SNAPSHOT), output);
 * ```
 */
export class MeshGenerator {
  readonly #options: GenerateOptions;
  readonly #generators: Readonly<Record<string, ProtocolGenerator>>;
  readonly #assembler = new Assembler();
  readonly #gatewayRouters = new GatewayRouters();
  #index?: ServiceIndex;
  /** Keyed by the ServiceEntry object: an edited entry is a new object and regenerates. */
  #services = new Map<ServiceEntry, ServiceEntryState>();
  #gateways = new Map<string, GatewayEntry>();
  readonly #sources = new WeakMap<object, string>();
  #meshProblems: { mesh?: unknown; problems: GenerateProblem[] } | undefined;
  /** Unit positions of the last full merge, and services by `hosts[0]`. */
  #order?: UnitOrder;

  /** A generator with fixed options. */
  constructor(options: MeshGeneratorOptions = {}) {
    const { generators, ...rest } = options;
    this.#options = rest;
    this.#generators = generators ?? PROTOCOL_GENERATORS;
  }

  /** The output for `snapshot`; pure apart from the memo it keeps. */
  generate(snapshot: MeshSnapshot): MeshOutput {
    const index = new ServiceIndex(snapshot, this.#options, this.#index);
    const changed = changedLists(this.#index?.snapshot, snapshot);
    const plan = checkPlan(index, changed);
    const output = this.#patch(index, changed, plan) ?? this.#full(index, changed, plan);
    this.#index = index;
    return output;
  }

  /**
   * The output when only host-keyed lists (MetaRouters, DestinationRules, VirtualServices)
   * changed, by a known few objects: only the services of the changed hosts are checked and
   * only changed units patched into the output, so the cost does not grow with the mesh.
   */
  #patch(index: ServiceIndex, changed: Changed, plan: CheckPlan): MeshOutput | undefined {
    const prev = this.#index;
    if (!prev || !this.#order) return undefined;
    for (const key of PATCHABLE_NOT) if (changed[key]) return undefined;
    const hostSets = [plan.rules, plan.virtualServices, plan.routers];
    if (hostSets.some((h) => h === undefined)) return undefined;
    const seen = new Set<ServiceEntry>();
    for (const hosts of hostSets) {
      for (const host of hosts ?? []) {
        for (const se of this.#order.byHost.get(host) ?? []) {
          if (seen.has(se)) continue;
          seen.add(se);
          const before = this.#services.get(se)!;
          if (depsUnchanged(before.deps, se, plan)) continue;
          const state = this.#generateService(index, se);
          this.#services.set(se, state);
          this.#assembler.replace(this.#order.services.get(se)!, state);
        }
      }
    }
    const routers = { from: prev.snapshot.metaRouters, diff: index.changedMetaRouters() };
    for (const gw of index.snapshot.gateways) {
      const ref = objectRef(gw), before = this.#gateways.get(ref);
      const entry = this.#gatewayEntry(index, gw, changed, routers);
      if (entry === before) continue;
      this.#gateways.set(ref, entry);
      this.#assembler.replace(this.#order.gateways.get(ref)!, { ref, output: entry.output });
    }
    return this.#assembler.output(this.#meshConfigProblems(index));
  }

  #full(index: ServiceIndex, changed: Changed, plan: CheckPlan): MeshOutput {
    const units: Unit[] = [];
    // The same ServiceEntry list means the same keys: update the memo in place.
    const services = changed.serviceEntries
      ? new Map<ServiceEntry, ServiceEntryState>()
      : this.#services;
    const order: UnitOrder = {
      services: new Map(),
      gateways: new Map(),
      byHost: !changed.serviceEntries && this.#order ? this.#order.byHost : new Map(),
    };
    for (const se of index.sortedServiceEntries()) {
      const prev = this.#services.get(se);
      const state = prev && depsUnchanged(prev.deps, se, plan)
        ? prev
        : this.#generateService(index, se);
      if (state !== prev || services !== this.#services) services.set(se, state);
      order.services.set(se, units.length);
      if (order.byHost !== this.#order?.byHost) addByHost(order.byHost, se);
      units.push(state);
    }
    const gateways = new Map<string, GatewayEntry>();
    const routers = this.#index
      ? { from: this.#index.snapshot.metaRouters, diff: index.changedMetaRouters() }
      : undefined;
    for (const gw of [...index.snapshot.gateways].sort(byNamespaceAndName)) {
      const ref = objectRef(gw);
      const entry = this.#gatewayEntry(index, gw, changed, routers);
      gateways.set(ref, entry);
      order.gateways.set(ref, units.length);
      units.push({ ref, output: entry.output });
    }
    const output = this.#assembler.assemble(units, this.#meshConfigProblems(index));
    this.#services = services;
    this.#gateways = gateways;
    this.#order = order;
    return output;
  }

  #gatewayEntry(
    index: ServiceIndex,
    gw: Gateway,
    changed: Changed,
    routers: Parameters<GatewayRouters["for"]>[2],
  ): GatewayEntry {
    const ref = objectRef(gw), prev = this.#gateways.get(ref);
    const bound = this.#gatewayRouters.for(index.snapshot.metaRouters, gw, routers);
    const entry = gatewayUnit(gw, index, bound, prev, changed);
    if (entry !== prev) this.#register(ref, entry.output);
    return entry;
  }

  #generateService(index: ServiceIndex, se: ServiceEntry): ServiceEntryState {
    const state = { ref: objectRef(se), ...generateService(index, se, this.#generators) };
    this.#register(state.ref, state.output);
    return state;
  }

  /**
   * The input object (`Kind/namespace/name`) an output object of the last generation came
   * from: a ServiceEntry for service filters and routes, a Gateway for gateway objects.
   */
  sourceOf(item: object): string | undefined {
    return this.#sources.get(item);
  }

  #register(ref: string, output: UnitOutput): void {
    for (const list of [output.envoyFilters, output.virtualServices, output.routeConfigurations]) {
      for (const item of list) this.#sources.set(item, ref);
    }
  }

  #meshConfigProblems(index: ServiceIndex): GenerateProblem[] {
    // Options are fixed per generator: only the mesh config can change these problems.
    const mesh = index.snapshot.meshConfig;
    if (!this.#meshProblems || this.#meshProblems.mesh !== mesh) {
      const problems = buildAccessLog(mesh, index.options.rootNamespace).problems;
      this.#meshProblems = { mesh, problems };
    }
    return this.#meshProblems.problems;
  }
}

/**
 * Generates everything for one snapshot: EnvoyFilters and VirtualServices sorted by
 * namespace/name, route configurations by name, and problems by object. Never throws on bad
 * input; one bad object never removes another's output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildMesh } from "./generator.ts";
 * import { EMPTY_SNAPSHOT } from "./snapshot.ts";
 * assert.deepEqual(buildMesh(EMPTY_SNAPSHOT).problems, []);
 * ```
 */
export function buildMesh(snapshot: MeshSnapshot, options: MeshGeneratorOptions = {}): MeshOutput {
  return new MeshGenerator(options).generate(snapshot);
}
