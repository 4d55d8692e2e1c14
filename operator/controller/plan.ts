/**
 * What the controller writes, decided purely from the generator's output and what the API
 * server holds: which EnvoyFilters to apply (new or changed), which labelled ones to prune,
 * and — the fix of upstream's worst defect (spec §6, §11) — which services keep their last
 * good EnvoyFilters because one of their inputs has a problem.
 *
 * @module
 */
import type { GeneratedObject, GenerateProblem } from "../generate/mod.ts";
import { MANAGED_BY, stableStringify } from "../generate/mod.ts";
import type { KubeObject } from "../kube/mod.ts";

/** The writes that bring the API server to the desired objects. */
export interface WritePlan {
  /** Objects to server-side apply: absent, or differing in spec or labels. */
  readonly apply: readonly GeneratedObject[];
  /** Labelled objects no longer generated, to delete. */
  readonly prune: readonly KubeObject[];
}

/**
 * Compares `desired` with `existing` (what the API server holds, as watched) by namespace and
 * name. Only objects labelled `manager: Aeraki` are ever pruned; an unchanged object is not
 * written, so a restart with unchanged inputs writes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planWrites } from "./plan.ts";
 * const ef = (name: string, spec: Record<string, unknown>) => ({
 *   apiVersion: "networking.istio.io/v1alpha3", kind: "EnvoyFilter" as const,
 *   metadata: { namespace: "istio-system", name, labels: { manager: "Aeraki" } }, spec,
 * });
 * const plan = planWrites([ef("a", { x: 1 }), ef("b", { x: 2 })], [ef("a", { x: 1 }), ef("c", {})]);
 * assert.deepEqual(plan.apply.map((o) => o.metadata.name), ["b"]);
 * assert.deepEqual(plan.prune.map((o) => o.metadata.name), ["c"]);
 * ```
 */
export function planWrites(
  desired: readonly GeneratedObject[],
  existing: readonly KubeObject[],
): WritePlan {
  const held = new Map(existing.map((o) => [keyOf(o), o]));
  const wanted = new Set(desired.map(keyOf));
  const apply = desired.filter((d) => {
    const have = held.get(keyOf(d));
    return !have || !sameContent(d, have);
  });
  const prune = existing.filter((o) =>
    !wanted.has(keyOf(o)) && o.metadata.labels?.manager === MANAGED_BY.manager
  );
  return { apply, prune };
}

function keyOf(o: { metadata: { namespace?: string; name: string } }): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

function sameContent(d: GeneratedObject, have: KubeObject): boolean {
  if (stableStringify(d.spec) !== stableStringify(have.spec ?? {})) return false;
  const labels = have.metadata.labels ?? {};
  return Object.entries(d.metadata.labels).every(([k, v]) => labels[k] === v);
}

/** Inputs of one generation, as the controller knows them. */
export interface GenerationResult {
  /** The generated EnvoyFilters. */
  readonly envoyFilters: readonly GeneratedObject[];
  /** Every problem (decoding and generation). */
  readonly problems: readonly GenerateProblem[];
  /** The source (`ServiceEntry/ns/name`, `Gateway/ns/name`) of a generated object. */
  readonly sourceOf: (item: GeneratedObject) => string | undefined;
  /** The sources a problem's object feeds (a MetaRouter's host's ServiceEntries, ...). */
  readonly sourcesOfProblem: (problem: GenerateProblem) => readonly string[];
  /**
   * What the API server holds, by `namespace/name`: after a restart the last good objects
   * are not in memory, so a troubled service keeps the stored versions of its objects.
   */
  readonly stored?: ReadonlyMap<string, GeneratedObject>;
}

/**
 * Keeps each source's last good EnvoyFilters: a source none of whose inputs has a problem
 * takes its newly generated objects (and they become its last good ones); a source with a
 * problem keeps the objects it had before, so one bad MetaRouter never removes a service's
 * working routes. Not safe to share between concurrent callers.
 */
export class LastGood {
  #bySource = new Map<string, readonly GeneratedObject[]>();

  /**
   * The EnvoyFilters to hold in the API server after `result`, and the sources whose last
   * good objects were kept instead of the new ones.
   */
  resolve(result: GenerationResult): { desired: GeneratedObject[]; kept: string[] } {
    const troubled = new Set(result.problems.flatMap((p) => result.sourcesOfProblem(p)));
    const fresh = new Map<string, GeneratedObject[]>();
    const unowned: GeneratedObject[] = [];
    for (const ef of result.envoyFilters) {
      const source = result.sourceOf(ef);
      if (source === undefined) unowned.push(ef);
      else fresh.set(source, [...(fresh.get(source) ?? []), ef]);
    }
    const next = new Map<string, readonly GeneratedObject[]>();
    const kept: string[] = [];
    for (const source of new Set([...fresh.keys(), ...this.#bySource.keys()])) {
      const previous = this.#bySource.get(source) ?? storedVersions(fresh.get(source), result);
      if (troubled.has(source) && previous) {
        next.set(source, previous);
        kept.push(source);
      } else if (fresh.has(source)) next.set(source, fresh.get(source)!);
    }
    this.#bySource = next;
    const desired = [...unowned, ...[...next.values()].flat()];
    desired.sort((a, b) => keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
    return { desired, kept: kept.sort() };
  }

  /** Source → the EnvoyFilters the last {@linkcode resolve} holds for it (new or kept). */
  held(): ReadonlyMap<string, readonly GeneratedObject[]> {
    // resolve() replaces the map, so the one returned stays as it is.
    return this.#bySource;
  }
}

/** The stored versions of a source's objects, when the API server holds every one of them. */
function storedVersions(
  fresh: readonly GeneratedObject[] | undefined,
  result: GenerationResult,
): readonly GeneratedObject[] | undefined {
  if (!fresh || !result.stored) return undefined;
  const stored = fresh.map((o) => result.stored!.get(keyOf(o)));
  return stored.every((o) => o !== undefined) ? stored as GeneratedObject[] : undefined;
}
