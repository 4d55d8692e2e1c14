/**
 * The `status.conditions` of Aeraki's objects, decided purely from what one reconcile found:
 * `Accepted` (the object's inputs are valid; the same words `aeraki validate` and `aeraki
 * render` print when not) and `Programmed` (the EnvoyFilters generated for the services it
 * feeds are in the API server, or why not). Also the merge with the conditions an object
 * already has (lastTransitionTime moves only when a status flips) and the Kubernetes Events a
 * change calls for.
 *
 * @module
 */
import type { GenerateProblem } from "../generate/mod.ts";

/** A condition as the API server stores it (`metav1.Condition`). */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
}

/** A condition before it is merged with what the object has: no lastTransitionTime yet. */
export type ConditionDraft = Omit<Condition, "lastTransitionTime">;

/** What one reconcile found about one object. */
export interface ObjectFacts {
  /** `metadata.generation`, written as each condition's `observedGeneration`. */
  readonly generation?: number;
  /** The problems (and warnings) of this object itself. */
  readonly problems: readonly GenerateProblem[];
  /** The services (`ServiceEntry/ns/name`) the object feeds. */
  readonly sources: readonly string[];
  /** `namespace/name` of the EnvoyFilters held for those services. */
  readonly envoyFilters: readonly string[];
  /** Those of its services that keep their last good EnvoyFilters. */
  readonly kept: readonly string[];
  /** Other objects whose problems make its services keep their last good EnvoyFilters. */
  readonly keptBecause?: readonly string[];
  /** Messages of failed writes of its EnvoyFilters. */
  readonly failed: readonly string[];
  /** What a service feeds on, for the message when it feeds none. @default "its host" */
  readonly feedsOn?: string;
}

/** The `Accepted` and `Programmed` types. */
export const ACCEPTED = "Accepted";
/** See {@linkcode ACCEPTED}. */
export const PROGRAMMED = "Programmed";

const MAX_MESSAGE = 4000;
const MAX_NAMES = 10;

/** `field: message`, the words `aeraki validate` prints after the object's name. */
export function problemText(p: GenerateProblem): string {
  return p.field ? `${p.field}: ${p.message}` : p.message;
}

/**
 * The `Accepted` and `Programmed` conditions of one object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeConditions } from "./conditions.ts";
 * const [accepted, programmed] = computeConditions({
 *   generation: 2,
 *   problems: [],
 *   sources: ["ServiceEntry/demo/s"],
 *   envoyFilters: ["istio-system/aeraki-s"],
 *   kept: [],
 *   failed: [],
 * });
 * assert.equal(accepted.status, "True");
 * assert.equal(programmed.message, "EnvoyFilter istio-system/aeraki-s applied");
 * assert.equal(programmed.observedGeneration, 2);
 * ```
 */
export function computeConditions(facts: ObjectFacts): [ConditionDraft, ConditionDraft] {
  const gen = facts.generation === undefined ? {} : { observedGeneration: facts.generation };
  const errors = facts.problems.filter((p) => !p.warning);
  const warnings = facts.problems.filter((p) => p.warning);
  const accepted: ConditionDraft = errors.length > 0
    ? { type: ACCEPTED, status: "False", reason: "Invalid", message: lines(errors), ...gen }
    : {
      type: ACCEPTED,
      status: "True",
      reason: "Accepted",
      message: warnings.length > 0 ? `Accepted with warnings: ${lines(warnings)}` : "Valid",
      ...gen,
    };
  return [accepted, { type: PROGRAMMED, ...programmed(facts, errors.length > 0), ...gen }];
}

function programmed(
  facts: ObjectFacts,
  invalid: boolean,
): Pick<ConditionDraft, "status" | "reason" | "message"> {
  const filters = names("EnvoyFilter", facts.envoyFilters);
  if (facts.kept.length > 0) {
    const why = invalid
      ? "until the problems of this object are fixed"
      : `while ${names("", facts.keptBecause ?? []).trim() || "another input"} has a problem`;
    return {
      status: "False",
      reason: "LastGoodKept",
      message: cap(`${names("", facts.kept).trim()} keeps ${filters} ${why}`),
    };
  }
  if (invalid) {
    return {
      status: "False",
      reason: "Invalid",
      message: "Fix the problems above: nothing is programmed from this object",
    };
  }
  if (facts.failed.length > 0) {
    return { status: "False", reason: "WriteFailed", message: cap(facts.failed.join("; ")) };
  }
  if (facts.sources.length === 0) {
    return {
      status: "False",
      reason: "NoService",
      message: `Add a ServiceEntry or Service for ${
        facts.feedsOn ?? "its host"
      }: no service uses this object`,
    };
  }
  if (facts.envoyFilters.length === 0) {
    return {
      status: "False",
      reason: "NothingGenerated",
      message: cap(`${names("", facts.sources).trim()} generates no EnvoyFilter`),
    };
  }
  return { status: "True", reason: "Programmed", message: cap(`${filters} applied`) };
}

function lines(problems: readonly GenerateProblem[]): string {
  return cap(problems.map(problemText).join("; "));
}

/** `EnvoyFilter a` / `EnvoyFilters a, b` (at most ten names, then how many more). */
function names(noun: string, items: readonly string[]): string {
  const shown = items.slice(0, MAX_NAMES).map((i) => i.replace(/^([A-Z][A-Za-z]*)\//, "$1 "));
  const more = items.length > MAX_NAMES ? ` and ${items.length - MAX_NAMES} more` : "";
  const label = noun === "" ? "" : `${noun}${items.length === 1 ? "" : "s"} `;
  return `${label}${shown.join(", ")}${more}`;
}

function cap(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}

/** Whether two conditions say the same, lastTransitionTime aside. */
export function sameCondition(a: ConditionDraft, b: ConditionDraft | undefined): boolean {
  return b !== undefined && a.type === b.type && a.status === b.status &&
    a.reason === b.reason && a.message === b.message &&
    a.observedGeneration === b.observedGeneration;
}

/** The conditions an object stores, read leniently from its `status` (bad entries skipped). */
export function storedConditions(status: unknown): Condition[] {
  const list = (status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is Condition =>
    typeof c === "object" && c !== null && typeof c.type === "string" &&
    typeof c.status === "string"
  );
}

/** What {@linkcode mergeConditions} decides. */
export interface ConditionUpdate {
  /** The conditions to store. */
  readonly conditions: Condition[];
  /** Whether they differ from the stored ones (lastTransitionTime aside): a write is due. */
  readonly changed: boolean;
}

/**
 * Merges `drafts` into the `stored` conditions: a condition whose status is unchanged keeps
 * its lastTransitionTime, a flipped or new one takes `now`. Conditions of other types (another
 * controller's) are kept as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeConditions } from "./conditions.ts";
 * const stored = [{ type: "Accepted", status: "True" as const, reason: "Accepted", message: "Valid", lastTransitionTime: "t0" }];
 * const same = mergeConditions(stored, [{ type: "Accepted", status: "True", reason: "Accepted", message: "Valid" }], "t1");
 * assert.equal(same.changed, false);
 * const flipped = mergeConditions(stored, [{ type: "Accepted", status: "False", reason: "Invalid", message: "x" }], "t1");
 * assert.deepEqual([flipped.changed, flipped.conditions[0].lastTransitionTime], [true, "t1"]);
 * ```
 */
export function mergeConditions(
  stored: readonly Condition[],
  drafts: readonly ConditionDraft[],
  now: string,
): ConditionUpdate {
  const byType = new Map(stored.map((c) => [c.type, c]));
  let changed = false;
  const ours = drafts.map((d): Condition => {
    const old = byType.get(d.type);
    if (!sameCondition(d, old)) changed = true;
    const since = old && old.status === d.status && old.lastTransitionTime
      ? old.lastTransitionTime
      : now;
    return { ...d, lastTransitionTime: since };
  });
  const types = new Set(drafts.map((d) => d.type));
  return { conditions: [...ours, ...stored.filter((c) => !types.has(c.type))], changed };
}

/** A Kubernetes Event to record about an object. */
export interface EventDraft {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

/**
 * The Events a condition change calls for: `Warning Rejected` when Accepted turns False (or
 * its problems change), `Normal Accepted` when it turns True again, `Normal Programmed` when
 * Programmed turns True or the object's EnvoyFilters were written (`wrote`), and a Warning
 * named by the reason when Programmed turns False for another cause than the object's own
 * problems. Nothing when nothing changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventsFor } from "./conditions.ts";
 * const bad = { type: "Accepted", status: "False" as const, reason: "Invalid", message: "x", lastTransitionTime: "t" };
 * assert.deepEqual(eventsFor([], [bad], { wrote: false }), [
 *   { type: "Warning", reason: "Rejected", message: "x" },
 * ]);
 * assert.deepEqual(eventsFor([bad], [bad], { wrote: false }), []);
 * ```
 */
export function eventsFor(
  before: readonly Condition[],
  after: readonly Condition[],
  options: { readonly wrote: boolean },
): EventDraft[] {
  const old = new Map(before.map((c) => [c.type, c]));
  const events: EventDraft[] = [];
  for (const c of after) {
    const prev = old.get(c.type);
    const same = sameCondition(c, prev) ||
      (prev !== undefined && prev.status === c.status && prev.reason === c.reason &&
        prev.message === c.message);
    if (c.type === ACCEPTED) {
      if (c.status === "False" && !same) {
        events.push({ type: "Warning", reason: "Rejected", message: c.message });
      } else if (c.status === "True" && prev?.status === "False") {
        events.push({ type: "Normal", reason: "Accepted", message: c.message });
      }
    } else if (c.type === PROGRAMMED) {
      if (c.status === "True" && (prev?.status !== "True" || options.wrote || !same)) {
        events.push({ type: "Normal", reason: "Programmed", message: c.message });
      } else if (c.status === "False" && !same && c.reason !== "Invalid") {
        events.push({ type: "Warning", reason: c.reason, message: c.message });
      }
    }
  }
  return events;
}
