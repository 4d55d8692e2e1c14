/**
 * Merges the outputs of every unit (service or gateway) into one sorted {@link MeshOutput}.
 * Two units that generate an object of the same name keep the first unit's (units come in
 * namespace/name order) and report a problem. When only the contents of some units changed —
 * the same units, generating objects of the same names — the previous sorted lists are patched
 * in place of a full sort, so one change costs O(changed).
 *
 * @module
 */
import type { UnitOutput } from "./_service_unit.ts";
import type {
  GeneratedObject,
  GenerateProblem,
  MeshOutput,
  RouteConfiguration,
} from "./snapshot.ts";

/** A unit of generation: its source object (`Kind/namespace/name`) and its output. */
export interface Unit {
  readonly ref: string;
  readonly output: UnitOutput;
}

type ListName = "envoyFilters" | "virtualServices" | "routeConfigurations";
const LISTS: readonly ListName[] = ["envoyFilters", "virtualServices", "routeConfigurations"];
type Item = GeneratedObject | RouteConfiguration;

function itemKey(item: Item): string {
  return "metadata" in item ? `${item.metadata.namespace}\u0000${item.metadata.name}` : item.name;
}

function itemLabel(list: ListName, item: Item): string {
  if (!("metadata" in item)) return `route configuration "${item.name}"`;
  const kind = list === "envoyFilters" ? "EnvoyFilter" : "VirtualService";
  return `${kind} "${item.metadata.namespace}/${item.metadata.name}"`;
}

function compareProblems(a: GenerateProblem, b: GenerateProblem): number {
  for (const k of ["object", "field", "message"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

/** Sorts and de-duplicates problems. */
export function sortProblems(problems: readonly GenerateProblem[]): GenerateProblem[] {
  const sorted = [...problems].sort(compareProblems);
  return sorted.filter((p, i) => i === 0 || compareProblems(sorted[i - 1], p) !== 0);
}

interface Sorted {
  readonly items: Item[];
  /** Key → position in `items` and the ref of the unit that owns it. */
  readonly owners: Map<string, { readonly at: number; readonly ref: string }>;
  readonly duplicates: GenerateProblem[];
}

function sortList(units: readonly Unit[], list: ListName): Sorted {
  const entries: { key: string; item: Item; ref: string; order: number }[] = [];
  units.forEach((u, order) => {
    for (const item of u.output[list]) {
      entries.push({ key: itemKey(item), item, ref: u.ref, order });
    }
  });
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.order - b.order));
  const items: Item[] = [];
  const owners = new Map<string, { at: number; ref: string }>();
  const duplicates: GenerateProblem[] = [];
  for (const e of entries) {
    const owner = owners.get(e.key);
    if (owner) {
      duplicates.push({
        object: e.ref,
        field: "",
        message: `Remove the duplicate host or port: ${itemLabel(list, e.item)} is also ` +
          `generated from ${owner.ref}, which wins`,
      });
      continue;
    }
    owners.set(e.key, { at: items.length, ref: e.ref });
    items.push(e.item);
  }
  return { items, owners, duplicates };
}

function sameKeys(a: UnitOutput, b: UnitOutput): boolean {
  return LISTS.every((list) =>
    a[list].length === b[list].length &&
    a[list].every((item, i) => itemKey(item) === itemKey(b[list][i]))
  );
}

/** Assembles unit outputs into the mesh output, patching the previous one when it can. */
export class Assembler {
  #units: readonly Unit[] = [];
  #lists?: Record<ListName, Sorted>;

  /** The mesh output of `units` (in unit order) plus problems that belong to no unit. */
  assemble(units: readonly Unit[], extraProblems: readonly GenerateProblem[]): MeshOutput {
    const lists = this.#patched(units) ?? this.#sorted(units);
    this.#units = units;
    this.#lists = lists;
    const problems: GenerateProblem[] = [...extraProblems];
    for (const u of units) if (u.output.problems.length > 0) problems.push(...u.output.problems);
    for (const list of LISTS) problems.push(...lists[list].duplicates);
    return {
      envoyFilters: lists.envoyFilters.items as GeneratedObject[],
      virtualServices: lists.virtualServices.items as GeneratedObject[],
      routeConfigurations: lists.routeConfigurations.items as RouteConfiguration[],
      problems: sortProblems(problems),
    };
  }

  #sorted(units: readonly Unit[]): Record<ListName, Sorted> {
    return {
      envoyFilters: sortList(units, "envoyFilters"),
      virtualServices: sortList(units, "virtualServices"),
      routeConfigurations: sortList(units, "routeConfigurations"),
    };
  }

  #patched(units: readonly Unit[]): Record<ListName, Sorted> | undefined {
    const prev = this.#units, lists = this.#lists;
    if (!lists || prev.length !== units.length) return undefined;
    const changed: Unit[] = [];
    for (let i = 0; i < units.length; i++) {
      const u = units[i], p = prev[i];
      if (u.ref !== p.ref) return undefined;
      if (u.output === p.output) continue;
      if (!sameKeys(u.output, p.output)) return undefined;
      changed.push(u);
    }
    if (changed.length === 0) return lists;
    const next = {} as Record<ListName, Sorted>;
    for (const list of LISTS) {
      const items = lists[list].items.slice();
      for (const u of changed) {
        for (const item of u.output[list]) {
          const owner = lists[list].owners.get(itemKey(item));
          if (owner?.ref === u.ref) items[owner.at] = item;
        }
      }
      next[list] = { ...lists[list], items };
    }
    return next;
  }
}
