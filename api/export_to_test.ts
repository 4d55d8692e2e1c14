import assert from "node:assert/strict";
import { exportToProblems, exportToWarnings, resolveExportTo } from "./export_to.ts";

Deno.test("exportToProblems() accepts what the webhook accepts", () => {
  for (const ok of [[], ["."], ["*"], ["~"], ["a", "b"], [".", "other"]]) {
    assert.deepEqual(exportToProblems(ok, "ns"), [], JSON.stringify(ok));
  }
});

Deno.test("exportToProblems() flags the offending entry", () => {
  assert.deepEqual(exportToProblems(["ns", "."], "ns").map((p) => p.index), [1]);
  assert.deepEqual(exportToProblems([".", "ns"], undefined), []);
  assert.deepEqual(exportToProblems(["a", "*"], "ns").map((p) => p.index), [1]);
  assert.deepEqual(exportToProblems(["~", "a"], "ns").map((p) => p.index), [0]);
  assert.deepEqual(exportToProblems(["UPPER_"], "ns").map((p) => p.index), [0]);
});

Deno.test('exportToWarnings() warns only for a lone "~" (Q14)', () => {
  assert.equal(exportToWarnings(["~"]).length, 1);
  assert.deepEqual(exportToWarnings(["."]), []);
  assert.deepEqual(exportToWarnings(undefined), []);
});

Deno.test('resolveExportTo() maps . * ~ to namespaces, never to a namespace named "~"', () => {
  const options = { namespace: "app", rootNamespace: "istio-system" };
  assert.deepEqual(resolveExportTo(undefined, options), { kind: "default" });
  assert.deepEqual(resolveExportTo([], options), { kind: "default" });
  assert.deepEqual(resolveExportTo(["~"], options), { kind: "namespaces", namespaces: [] });
  assert.deepEqual(resolveExportTo(["default", ".", "*"], options), {
    kind: "namespaces",
    namespaces: ["app", "default", "istio-system"],
  });
});
