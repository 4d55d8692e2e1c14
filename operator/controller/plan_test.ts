import assert from "node:assert/strict";
import type { GeneratedObject, GenerateProblem } from "../generate/mod.ts";
import type { KubeObject } from "../kube/mod.ts";
import { type GenerationResult, LastGood, planWrites } from "./plan.ts";

function ef(name: string, spec: Record<string, unknown> = {}): GeneratedObject {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { namespace: "istio-system", name, labels: { manager: "Aeraki" } },
    spec,
  };
}

function result(
  filters: [source: string, ef: GeneratedObject][],
  problems: [object: string, sources: string[]][] = [],
): GenerationResult {
  const sources = new Map(filters.map(([s, e]) => [e, s]));
  const bySource = new Map(problems);
  return {
    envoyFilters: filters.map(([, e]) => e),
    problems: problems.map(([object]): GenerateProblem => ({
      object,
      field: "spec",
      message: "bad",
    })),
    sourceOf: (e) => sources.get(e),
    sourcesOfProblem: (p) => bySource.get(p.object) ?? [],
  };
}

const held = (o: GeneratedObject) => o as unknown as KubeObject;
const names = (objects: readonly { metadata: { name: string } }[]) =>
  objects.map((o) => o.metadata.name);

Deno.test("LastGood.resolve() keeps a troubled service's last good EnvoyFilters and takes the rest new", () => {
  const lastGood = new LastGood();
  const first = lastGood.resolve(
    result([["SE/a", ef("a", { v: 1 })], ["SE/b", ef("b", { v: 1 })]]),
  );
  assert.deepEqual(names(first.desired), ["a", "b"]);
  // A's MetaRouter turns bad: A's new output (no routes) is not used; B's update is.
  const second = lastGood.resolve(
    result([["SE/a", ef("a", { v: 0 })], ["SE/b", ef("b", { v: 2 })]], [["MetaRouter/x/a", [
      "SE/a",
    ]]]),
  );
  assert.deepEqual(second.kept, ["SE/a"]);
  assert.deepEqual(second.desired.map((o) => o.spec), [{ v: 1 }, { v: 2 }]);
  // A's ServiceEntry itself is bad and generates nothing: its filters stay too.
  const third = lastGood.resolve(result([["SE/b", ef("b", { v: 2 })]], [["SE/a", ["SE/a"]]]));
  assert.deepEqual(names(third.desired), ["a", "b"]);
  // Fixed: the new output replaces the kept one.
  const fourth = lastGood.resolve(
    result([["SE/a", ef("a", { v: 3 })], ["SE/b", ef("b", { v: 2 })]]),
  );
  assert.deepEqual(fourth.kept, []);
  assert.deepEqual(fourth.desired.map((o) => o.spec), [{ v: 3 }, { v: 2 }]);
  // Deleted without a problem: gone.
  assert.deepEqual(names(lastGood.resolve(result([["SE/b", ef("b", { v: 2 })]])).desired), ["b"]);
});

Deno.test("LastGood.resolve() has nothing to keep for a service that never generated", () => {
  const out = new LastGood().resolve(result([], [["MetaRouter/x/a", ["SE/a"]]]));
  assert.deepEqual(out, { desired: [], kept: [] });
});

Deno.test("planWrites() prunes only labelled objects and rewrites changed specs and labels", () => {
  const unlabelled: KubeObject = {
    ...ef("mine-looking"),
    metadata: { namespace: "istio-system", name: "x" },
  };
  const relabelled: KubeObject = { ...ef("b"), metadata: { ...ef("b").metadata, labels: {} } };
  const plan = planWrites([ef("a", { v: 2 }), ef("b")], [
    held(ef("a", { v: 1 })),
    relabelled,
    unlabelled,
    held(ef("old")),
  ]);
  assert.deepEqual(names(plan.apply), ["a", "b"]);
  assert.deepEqual(names(plan.prune), ["old"]);
});

Deno.test("planWrites() writes nothing when the server holds the desired objects", () => {
  const same = [ef("a", { z: 1, a: [1, 2] }), ef("b")];
  const onServer = [ef("a", { a: [1, 2], z: 1 }), ef("b")].map(held);
  assert.deepEqual(planWrites(same, onServer), { apply: [], prune: [] });
});

Deno.test("LastGood.resolve() after a restart keeps the stored objects of a troubled service", () => {
  const stored = new Map([["istio-system/a", ef("a", { v: 1 })], [
    "istio-system/b",
    ef("b", { v: 1 }),
  ]]);
  const out = new LastGood().resolve({
    ...result([["SE/a", ef("a", { v: 0 })], ["SE/b", ef("b", { v: 2 })]], [["MetaRouter/x/a", [
      "SE/a",
    ]]]),
    stored,
  });
  assert.deepEqual(out.kept, ["SE/a"]);
  assert.deepEqual(out.desired.map((o) => o.spec), [{ v: 1 }, { v: 2 }]);
  // A troubled service none of whose objects is stored takes its new output.
  const fresh = new LastGood().resolve({
    ...result([["SE/c", ef("c", { v: 0 })]], [["MetaRouter/x/c", ["SE/c"]]]),
    stored,
  });
  assert.deepEqual(fresh, { desired: [ef("c", { v: 0 })], kept: [] });
});
