/**
 * Merges the outputs of every unit (service or gateway) into one sorted {@link MeshOutput}.
 * Two units that generate an object of the same name keep the first unit's (units come in
 * namespace/name order) and report a problem. After a full merge, a unit whose output changed
 * is patched in: its objects' keys are re-claimed, the sorted lists edited at those keys by
 * binary search and the problems kept as a counted set, so one change costs O(changed) plus a
 * copy of each list it edits (earlier outputs are never mutated).
 *
 * @module
 */
import type { UnitOutput } from "./_service_unit.ts";
import { ProblemSet } from "./_problem_set.ts";
import type {
  GeneratedObject,
  GenerateProblem,
  MeshOutput,
  RouteConfiguration,
} from "./snapshot.ts";

export { sortProblems } from "./_problem_set.ts";

/** A unit of generation: its source object (`Kind/namespace/name`) and its output. */
export interface Unit {
  readonly ref: string;
  readonly output: UnitOutput;
}

type ListName = "envoyFilters" | "virtualServices" | "routeConfigurations";
const LISTS: readonly ListName[] = ["envoyFilters", "virtualServices", "routeConfigurations"];
type Item = GeneratedObject | RouteConfiguration;

/** A unit's claim on a key; a key's claims are in unit order, the first one wins. */
interface Claim {
  readonly ordinal: number;
  readonly ref: string;
  readonly item: Item;
}

function itemKey(item: Item): string {
  return "metadata" in item ? `${item.metadata.namespace}\u0000${item.metadata.name}` : item.name;
}

function itemLabel(list: ListName, item: Item): string {
  if (!("metadata" in item)) return `route configuration "${item.name}"`;
  const kind = list === "envoyFilters" ? "EnvoyFilter" : "VirtualService";
  return `${kind} "${item.metadata.namespace}/${item.metadata.name}"`;
}

function duplicates(list: ListName, claims: readonly Claim[] | undefined): GenerateProblem[] {
  if (!claims || claims.length < 2) return [];
  const owner = claims[0].ref;
  return claims.slice(1).map((c) => ({
    object: c.ref,
    field: "",
    message: `Remove the duplicate host or port: ${itemLabel(list, c.item)} is also ` +
      `generated from ${owner}, which wins`,
  }));
}

function search(keys: readonly string[], key: string): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One output list: winners sorted by key, and every claim per key. */
class SortedList {
  readonly name: ListName;
  #keys: string[] = [];
  #items: Item[] = [];
  #claims = new Map<string, Claim[]>();
  /** Whether `#items`/`#keys` were handed out and must be copied before an edit. */
  #shared = { items: false, keys: false };

  constructor(name: ListName, units: readonly Unit[], problems: ProblemSet) {
    this.name = name;
    units.forEach((u, ordinal) => {
      for (const item of u.output[name]) {
        const key = itemKey(item), claim = { ordinal, ref: u.ref, item };
        const claims = this.#claims.get(key);
        if (claims) claims.push(claim);
        else this.#claims.set(key, [claim]);
      }
    });
    this.#keys = [...this.#claims.keys()].sort();
    this.#items = this.#keys.map((k) => this.#claims.get(k)![0].item);
    for (const claims of this.#claims.values()) problems.addAll(duplicates(name, claims));
  }

  /** The sorted winners; the array is frozen in place until the next edit copies it. */
  items(): Item[] {
    this.#shared.items = true;
    return this.#items;
  }

  /** Replaces the claims of unit `ordinal` on the keys of `before` with those of `after`. */
  replace(
    unit: Omit<Claim, "item"> & { before: readonly Item[]; after: readonly Item[] },
    problems: ProblemSet,
  ) {
    const { ordinal, ref, before, after } = unit;
    {
      const keys = new Set<string>();
      for (const item of before) keys.add(itemKey(item));
      for (const item of after) keys.add(itemKey(item));
      for (const key of keys) {
        const old = this.#claims.get(key) ?? [];
        const mine = after.filter((i) => itemKey(i) === key).map((item) => ({
          ordinal,
          ref,
          item,
        }));
        const others = old.filter((c) => c.ordinal !== ordinal);
        let at = others.findIndex((c) => c.ordinal > ordinal);
        if (at < 0) at = others.length;
        const claims = [...others.slice(0, at), ...mine, ...others.slice(at)];
        problems.removeAll(duplicates(this.name, old));
        problems.addAll(duplicates(this.name, claims));
        if (claims.length > 0) this.#claims.set(key, claims);
        else this.#claims.delete(key);
        this.#setWinner(key, old[0]?.item, claims[0]?.item);
      }
    }
  }

  #setWinner(key: string, was: Item | undefined, now: Item | undefined): void {
    if (was === now) return;
    if (this.#shared.items) this.#items = this.#items.slice();
    this.#shared.items = false;
    const at = search(this.#keys, key);
    if (was !== undefined && now !== undefined) {
      this.#items[at] = now;
      return;
    }
    if (this.#shared.keys) this.#keys = this.#keys.slice();
    this.#shared.keys = false;
    if (now !== undefined) {
      this.#keys.splice(at, 0, key);
      this.#items.splice(at, 0, now);
    } else {
      this.#keys.splice(at, 1);
      this.#items.splice(at, 1);
    }
  }
}

/**
 * Assembles unit outputs into the mesh output: a full merge the first time or when the units
 * themselves change, a patch per changed unit otherwise.
 */
export class Assembler {
  #units: Unit[] = [];
  #lists?: Record<ListName, SortedList>;
  #problems = new ProblemSet();
  #extra: readonly GenerateProblem[] = [];
  #last?: MeshOutput;

  /** The mesh output of `units` (in unit order) plus problems that belong to no unit. */
  assemble(units: readonly Unit[], extraProblems: readonly GenerateProblem[]): MeshOutput {
    if (!this.#lists || !this.#sameRefs(units)) return this.#full(units, extraProblems);
    for (let i = 0; i < units.length; i++) {
      if (units[i].output !== this.#units[i].output) this.replace(i, units[i]);
    }
    return this.output(extraProblems);
  }

  /** Patches unit number `ordinal` (same ref, new output) into the lists. */
  replace(ordinal: number, unit: Unit): void {
    const prev = this.#units[ordinal];
    if (!this.#lists || prev?.ref !== unit.ref) {
      // A broken invariant of the caller (units are patched at their merged positions).
      throw new Error(`Cannot patch unit ${ordinal}: it is not "${unit.ref}"`);
    }
    if (prev.output === unit.output) return;
    for (const list of LISTS) {
      const before = prev.output[list], after = unit.output[list];
      if (before.length === 0 && after.length === 0) continue;
      const change = { ordinal, ref: unit.ref, before, after };
      this.#lists[list].replace(change, this.#problems);
    }
    this.#problems.removeAll(prev.output.problems);
    this.#problems.addAll(unit.output.problems);
    this.#units[ordinal] = unit;
  }

  /** The current output, with `extraProblems` in place of the previous extra problems. */
  output(extraProblems: readonly GenerateProblem[]): MeshOutput {
    if (extraProblems !== this.#extra) {
      this.#problems.removeAll(this.#extra);
      this.#problems.addAll(extraProblems);
      this.#extra = extraProblems;
    }
    const lists = this.#lists!;
    const out: MeshOutput = {
      envoyFilters: lists.envoyFilters.items() as GeneratedObject[],
      virtualServices: lists.virtualServices.items() as GeneratedObject[],
      routeConfigurations: lists.routeConfigurations.items() as RouteConfiguration[],
      problems: this.#problems.sorted(),
    };
    const last = this.#last;
    if (
      last && LISTS.every((l) => last[l] === out[l]) && last.problems === out.problems
    ) return last;
    return this.#last = out;
  }

  #sameRefs(units: readonly Unit[]): boolean {
    if (units.length !== this.#units.length) return false;
    for (let i = 0; i < units.length; i++) if (units[i].ref !== this.#units[i].ref) return false;
    return true;
  }

  #full(units: readonly Unit[], extraProblems: readonly GenerateProblem[]): MeshOutput {
    const problems = new ProblemSet();
    for (const u of units) problems.addAll(u.output.problems);
    this.#lists = {
      envoyFilters: new SortedList("envoyFilters", units, problems),
      virtualServices: new SortedList("virtualServices", units, problems),
      routeConfigurations: new SortedList("routeConfigurations", units, problems),
    };
    this.#units = units.slice();
    this.#problems = problems;
    this.#extra = [];
    this.#last = undefined;
    return this.output(extraProblems);
  }
}
