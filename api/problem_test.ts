import assert from "node:assert/strict";
import { Result, Schema } from "effect";
import { formatPath, formatProblem, issueToProblems, quote } from "./problem.ts";

Deno.test("formatPath() writes dotted paths with indexes and quoted odd keys", () => {
  assert.equal(
    formatPath(["spec", "routes", 0, "route", 1, "weight"]),
    "spec.routes[0].route[1].weight",
  );
  assert.equal(formatPath(["attributes", "x.y", "exact"]), 'attributes["x.y"].exact');
  assert.equal(formatPath(["attributes", ""]), 'attributes[""]');
  assert.equal(formatPath([]), "");
});

Deno.test("formatProblem() joins path and message", () => {
  assert.equal(formatProblem({ path: "spec", message: "Fix it" }), "spec: Fix it");
  assert.equal(formatProblem({ path: "", message: "Fix it" }), "Fix it");
});

Deno.test("quote() quotes strings and summarises structures", () => {
  assert.deepEqual([quote("a"), quote(1), quote(null), quote([1]), quote({}), quote(undefined)], [
    '"a"',
    "1",
    "null",
    "a list",
    "an object",
    "nothing",
  ]);
});

Deno.test("issueToProblems() flattens an issue tree with full paths", () => {
  const schema = Schema.Struct({
    a: Schema.Array(Schema.String),
    b: Schema.Literals(["X", "Y"]),
    c: Schema.Record(Schema.String, Schema.Boolean),
  });
  const result = Schema.decodeUnknownResult(schema, { errors: "all", reportInput: true })({
    a: ["ok", 2],
    b: "Z",
    c: { "k.1": "yes" },
  });
  assert.ok(Result.isFailure(result));
  assert.deepEqual(issueToProblems(result.failure.issue, ["spec"]), [
    { path: "spec.a[1]", message: "Use a string: got 2" },
    { path: "spec.b", message: 'Use one of "X", "Y": got "Z"' },
    { path: 'spec.c["k.1"]', message: 'Use true or false: got "yes"' },
  ]);
});
