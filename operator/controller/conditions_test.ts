import assert from "node:assert/strict";
import {
  computeConditions,
  type Condition,
  type ConditionDraft,
  eventsFor,
  mergeConditions,
  type ObjectFacts,
  storedConditions,
} from "./conditions.ts";

const GOOD: ObjectFacts = {
  generation: 3,
  problems: [],
  sources: ["ServiceEntry/demo/thrift"],
  envoyFilters: ["istio-system/aeraki-thrift"],
  kept: [],
  failed: [],
};

function summary(facts: ObjectFacts) {
  return computeConditions(facts).map((c) => `${c.type} ${c.status} ${c.reason}: ${c.message}`);
}

Deno.test("computeConditions() accepts and programs a good object, naming its EnvoyFilters", () => {
  assert.deepEqual(summary(GOOD), [
    "Accepted True Accepted: Valid",
    "Programmed True Programmed: EnvoyFilter istio-system/aeraki-thrift applied",
  ]);
  assert.deepEqual(computeConditions(GOOD).map((c) => c.observedGeneration), [3, 3]);
  const two = { ...GOOD, envoyFilters: ["ns/a", "ns/b"] };
  assert.equal(summary(two)[1], "Programmed True Programmed: EnvoyFilters ns/a, ns/b applied");
  const many = { ...GOOD, envoyFilters: Array.from({ length: 12 }, (_, i) => `ns/f${i}`) };
  assert.match(summary(many)[1], /ns\/f9 and 2 more applied$/);
});

Deno.test("computeConditions() rejects with the validate words and keeps the last good", () => {
  const problem = {
    object: "MetaRouter/demo/r",
    field: "spec.routes[0].route",
    message: "Make the weights add up to 100: they add up to 70 (50 + 20)",
  };
  const kept = { ...GOOD, problems: [problem], kept: ["ServiceEntry/demo/thrift"] };
  assert.deepEqual(summary(kept), [
    "Accepted False Invalid: spec.routes[0].route: Make the weights add up to 100: they add up to 70 (50 + 20)",
    "Programmed False LastGoodKept: ServiceEntry demo/thrift keeps EnvoyFilter istio-system/aeraki-thrift until the problems of this object are fixed",
  ]);
  // Nothing good before: nothing is programmed.
  assert.equal(
    summary({ ...kept, kept: [] })[1],
    "Programmed False Invalid: Fix the problems above: nothing is programmed from this object",
  );
});

Deno.test("computeConditions() says whose problem keeps a valid object's service on its last good", () => {
  const facts = { ...GOOD, kept: GOOD.sources, keptBecause: ["DestinationRule/demo/dr"] };
  assert.equal(
    summary(facts)[1],
    "Programmed False LastGoodKept: ServiceEntry demo/thrift keeps EnvoyFilter istio-system/aeraki-thrift while DestinationRule demo/dr has a problem",
  );
});

Deno.test("computeConditions() reports failed writes, missing services and warnings", () => {
  assert.deepEqual(
    summary({ ...GOOD, failed: ['Cannot apply EnvoyFilter "a/b": boom'] })[1],
    'Programmed False WriteFailed: Cannot apply EnvoyFilter "a/b": boom',
  );
  assert.equal(
    summary({ ...GOOD, sources: [], envoyFilters: [], feedsOn: 'host "x"' })[1],
    'Programmed False NoService: Add a ServiceEntry or Service for host "x": no service uses this object',
  );
  assert.equal(
    summary({ ...GOOD, envoyFilters: [] })[1],
    "Programmed False NothingGenerated: ServiceEntry demo/thrift generates no EnvoyFilter",
  );
  const warned = {
    ...GOOD,
    problems: [{ object: "x", field: "spec.routes[1]", message: "Remove it", warning: true }],
  };
  assert.equal(
    summary(warned)[0],
    "Accepted True Accepted: Accepted with warnings: spec.routes[1]: Remove it",
  );
});

const at = (d: ConditionDraft, t: string): Condition => ({ ...d, lastTransitionTime: t });

Deno.test("mergeConditions() moves lastTransitionTime only on a flip and keeps others' conditions", () => {
  const [accepted, programmed] = computeConditions(GOOD);
  const foreign: Condition = {
    type: "Ready",
    status: "True",
    reason: "X",
    message: "",
    lastTransitionTime: "t0",
  };
  const stored = [at(accepted, "t0"), at(programmed, "t0"), foreign];
  assert.deepEqual(mergeConditions(stored, [accepted, programmed], "t1"), {
    conditions: stored,
    changed: false,
  });
  // A new generation with the same verdict: a write (observedGeneration), the same times.
  const next = computeConditions({ ...GOOD, generation: 4 });
  const regen = mergeConditions(stored, next, "t1");
  assert.equal(regen.changed, true);
  assert.deepEqual(regen.conditions.map((c) => c.lastTransitionTime), ["t0", "t0", "t0"]);
  // A flip takes the new time; a message change alone does not.
  const bad = computeConditions({ ...GOOD, problems: [{ object: "x", field: "", message: "m" }] });
  assert.deepEqual(mergeConditions(stored, bad, "t2").conditions.map((c) => c.lastTransitionTime), [
    "t2",
    "t2",
    "t0",
  ]);
  const renamed = computeConditions({ ...GOOD, envoyFilters: ["ns/other"] });
  assert.deepEqual(
    mergeConditions(stored, renamed, "t3").conditions.map((c) => c.lastTransitionTime),
    ["t0", "t0", "t0"],
  );
});

Deno.test("storedConditions() reads what the API server holds and skips junk", () => {
  assert.deepEqual(storedConditions(undefined), []);
  assert.deepEqual(storedConditions({ conditions: "x" }), []);
  const c = {
    type: "Accepted",
    status: "True",
    reason: "Accepted",
    message: "Valid",
    lastTransitionTime: "t",
  };
  assert.deepEqual(storedConditions({ conditions: [c, null, { status: "True" }] }), [c]);
});

Deno.test("eventsFor() records each transition once and nothing without one", () => {
  const good = computeConditions(GOOD).map((c) => at(c, "t0"));
  const bad = computeConditions({
    ...GOOD,
    problems: [{ object: "x", field: "f", message: "m" }],
    kept: GOOD.sources,
  }).map((c) => at(c, "t1"));
  const kinds = (e: { type: string; reason: string }[]) => e.map((x) => `${x.type} ${x.reason}`);
  assert.deepEqual(kinds(eventsFor([], good, { wrote: true })), ["Normal Programmed"]);
  assert.deepEqual(kinds(eventsFor(good, good, { wrote: false })), []);
  assert.deepEqual(kinds(eventsFor(good, good, { wrote: true })), ["Normal Programmed"]);
  assert.deepEqual(kinds(eventsFor(good, bad, { wrote: false })), [
    "Warning Rejected",
    "Warning LastGoodKept",
  ]);
  assert.deepEqual(kinds(eventsFor(bad, bad, { wrote: false })), []);
  assert.deepEqual(kinds(eventsFor(bad, good, { wrote: true })), [
    "Normal Accepted",
    "Normal Programmed",
  ]);
  // A new generation that says the same (observedGeneration only) is no event.
  const regen = computeConditions({ ...GOOD, generation: 9 }).map((c) => at(c, "t0"));
  assert.deepEqual(kinds(eventsFor(good, regen, { wrote: false })), []);
});
