import assert from "node:assert/strict";
import { mirrorProblem, weightsProblem } from "./_route_rules.ts";
import { decodeMetaRouter, formatProblem } from "./mod.ts";

Deno.test("weightsProblem() holds weights to exactly 100, below and above", () => {
  assert.equal(weightsProblem([{ weight: 20 }, { weight: 80 }]), undefined);
  assert.equal(weightsProblem([{}]), undefined);
  assert.equal(
    weightsProblem([{ weight: 20 }, { weight: 70 }]),
    "Make the weights add up to 100: they add up to 90 (20 + 70)",
  );
  assert.equal(
    weightsProblem([{ weight: 60 }, { weight: 50 }]),
    "Make the weights add up to 100: they add up to 110 (60 + 50)",
  );
  assert.equal(
    weightsProblem([]),
    "Add at least one destination: a route must send traffic somewhere",
  );
});

Deno.test("mirrorProblem() needs a mirror and a percentage in (0, 100]", () => {
  assert.equal(mirrorProblem({ mirror: {}, mirrorPercentage: { value: 100 } }), undefined);
  assert.deepEqual(mirrorProblem({ mirrorPercentage: { value: 5 } })?.path, ["mirrorPercentage"]);
  assert.deepEqual(mirrorProblem({ mirror: {}, mirrorPercentage: { value: 100.5 } }), {
    path: ["mirrorPercentage", "value"],
    issue: "Use a mirror percentage above 0 and at most 100: got 100.5",
  });
});

Deno.test("the MetaRouter schema reports the weight rules in the rules' words", () => {
  const router = (weights: number[]) => ({
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name: "r", namespace: "demo" },
    spec: {
      hosts: ["svc.demo.svc.cluster.local"],
      routes: [{
        route: weights.map((weight, i) => ({
          destination: { host: "svc.demo.svc.cluster.local", subset: `v${i}` },
          weight,
        })),
      }],
    },
  });
  const problems = (weights: number[]) => {
    const r = decodeMetaRouter(router(weights));
    return r.ok ? [] : r.problems.map(formatProblem);
  };
  assert.deepEqual(problems([60, 50]), [
    `spec.routes[0].route: ${weightsProblem([{ weight: 60 }, { weight: 50 }])}`,
  ]);
  assert.deepEqual(problems([150, 0]), [
    "spec.routes[0].route[0].weight: Use a weight of at most 100: got 150",
  ]);
});
