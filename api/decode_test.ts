import assert from "node:assert/strict";
import { decodeObject, knownKind } from "./decode.ts";
import { formatProblem } from "./problem.ts";

const MR = {
  apiVersion: "metaprotocol.aeraki.io/v1alpha1",
  kind: "MetaRouter",
  metadata: { name: "r", namespace: "demo" },
  spec: { hosts: ["a.demo"], routes: [{ route: [{ destination: { host: "a.demo" } }] }] },
};

Deno.test("knownKind() matches the kind and the API group", () => {
  assert.equal(knownKind(MR), "MetaRouter");
  assert.equal(knownKind({ apiVersion: "v1", kind: "Service" }), "Service");
  assert.equal(knownKind({ apiVersion: "networking.istio.io/v1", kind: "Gateway" }), "Gateway");
  assert.equal(
    knownKind({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway" }),
    undefined,
  );
  assert.equal(knownKind({ apiVersion: "apps/v1", kind: "Deployment" }), undefined);
  assert.equal(
    knownKind({ apiVersion: "metaprotocol.aeraki.io/v2", kind: "MetaRouter" }),
    "MetaRouter",
  );
  assert.equal(knownKind({ kind: "toString", apiVersion: "" }), undefined);
  assert.equal(knownKind(null), undefined);
});

Deno.test("decodeObject() dispatches to the kind's decoder", () => {
  const result = decodeObject(MR);
  assert.equal(result.ok, true);
  assert.equal(result.kind, "MetaRouter");
  assert.deepEqual(result.warnings, []);
});

Deno.test("decodeObject() returns warnings beside a valid value", () => {
  const result = decodeObject({ ...MR, spec: { ...MR.spec, exportTo: ["~"] } });
  assert.equal(result.ok, true);
  assert.deepEqual(result.warnings.map((w) => w.path), ["spec.exportTo"]);
});

Deno.test("decodeObject() names the version to use", () => {
  const result = decodeObject({ ...MR, apiVersion: "metaprotocol.aeraki.io/v1" });
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    'apiVersion: Use "metaprotocol.aeraki.io/v1alpha1": got "metaprotocol.aeraki.io/v1"',
  ]);
});

Deno.test("decodeObject() reports unknown kinds and non-objects without throwing", () => {
  const unknown = decodeObject({ apiVersion: "apps/v1", kind: "Deployment" });
  assert.equal(unknown.ok, false);
  assert.equal(unknown.kind, undefined);
  assert.match(
    unknown.ok ? "" : formatProblem(unknown.problems[0]),
    /^kind: Use a kind this tool knows/,
  );
  const text = decodeObject("text");
  assert.deepEqual(text.ok ? [] : text.problems.map(formatProblem), [
    "Write a Kubernetes object (a map with apiVersion and kind)",
  ]);
});

Deno.test("decodeObject() requires metadata.name", () => {
  const result = decodeObject({ ...MR, metadata: { namespace: "demo" } });
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    'metadata.name: Add the required field "name"',
  ]);
});
