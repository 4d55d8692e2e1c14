/**
 * The orchestrator: from a {@link MeshSnapshot} to the {@link MeshOutput} — every service's
 * EnvoyFilters and route configurations, every gateway's EnvoyFilters and VirtualServices, and
 * the problems — sorted and deterministic.
 *
 * {@link MeshGenerator} memoizes per service and per gateway: a unit's previous output is
 * reused while every input it read is the same object, so after one MetaRouter changes the cost
 * is the changed services plus a reference check per service. Snapshots must therefore be
 * immutable, and unchanged objects and lists must keep their identity between snapshots.
 *
 * @module
 */
import type { ServiceEntry } from "../../api/mod.ts";
import type { ProtocolGenerator } from "./context.ts";
import { Assembler, type Unit } from "./_assemble.ts";
import { type GatewayEntry, GatewayRouters, gatewayUnit } from "./_gateway_unit.ts";
import {
  changedLists,
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
  #meshProblems: { mesh?: unknown; problems: GenerateProblem[] } = { problems: [] };

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
    const units: Unit[] = [];
    // The same ServiceEntry list means the same keys: update the memo in place.
    const services = changed.serviceEntries
      ? new Map<ServiceEntry, ServiceEntryState>()
      : this.#services;
    for (const se of index.sortedServiceEntries()) {
      const prev = this.#services.get(se);
      const state = prev && depsUnchanged(prev.deps, se, plan)
        ? prev
        : this.#generateService(index, se);
      if (state !== prev || services !== this.#services) services.set(se, state);
      units.push(state);
    }
    const gateways = new Map<string, GatewayEntry>();
    for (const gw of [...snapshot.gateways].sort(byNamespaceAndName)) {
      const ref = objectRef(gw);
      const routers = this.#gatewayRouters.for(snapshot.metaRouters, gw);
      const entry = gatewayUnit(gw, index, routers, this.#gateways.get(ref), changed);
      if (entry !== this.#gateways.get(ref)) this.#register(ref, entry.output);
      gateways.set(ref, entry);
      units.push({ ref, output: entry.output });
    }
    const output = this.#assembler.assemble(units, this.#meshConfigProblems(index));
    this.#index = index;
    this.#services = services;
    this.#gateways = gateways;
    return output;
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
    const mesh = index.snapshot.meshConfig;
    if (this.#meshProblems.mesh !== mesh || this.#index?.options !== index.options) {
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
