import assert from "node:assert/strict";
import { Schema } from "effect";
import { parseAllDocuments } from "yaml";
import {
  AERAKI_KINDS,
  type AerakiKind,
  crdSchema,
  type JsonSchemaNode,
  toStructural,
} from "./crd_schema.ts";
import { DURATION_PATTERN, parseDuration } from "./duration.ts";
import { SUBSET_PATTERN } from "./names.ts";

/** Every node path of a structural schema that lacks `type` (int-or-string may omit it). */
function untyped(node: JsonSchemaNode, path = "$"): string[] {
  const out: string[] = [];
  if (node.type === undefined && node["x-kubernetes-int-or-string"] !== true) out.push(path);
  for (const key of ["$ref", "anyOf", "oneOf", "allOf", "not", "$defs"]) {
    if (key in node) out.push(`${path}.${key}`);
  }
  for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, JsonSchemaNode>)) {
    out.push(...untyped(v, `${path}.properties.${k}`));
  }
  if (typeof node.items === "object") {
    out.push(...untyped(node.items as JsonSchemaNode, `${path}.items`));
  }
  if (typeof node.additionalProperties === "object") {
    out.push(
      ...untyped(node.additionalProperties as JsonSchemaNode, `${path}.additionalProperties`),
    );
  }
  return out;
}

/** A small validator for the structural subset we emit (enough to check the demos). */
function violations(node: JsonSchemaNode, value: unknown, path = "$"): string[] {
  if (node["x-kubernetes-preserve-unknown-fields"] === true) return [];
  if (node["x-kubernetes-int-or-string"] === true) {
    return typeof value === "string" || Number.isInteger(value) ? [] : [`${path}: int-or-string`];
  }
  const type = node.type;
  const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  const ok = type === "integer" ? Number.isInteger(value) : type === actual;
  if (!ok) return [`${path}: expected ${type}, got ${actual}`];
  const out: string[] = [];
  if (Array.isArray(node.enum) && !node.enum.includes(value)) out.push(`${path}: not in enum`);
  if (typeof node.minimum === "number" && (value as number) < node.minimum) {
    out.push(`${path}: < minimum`);
  }
  if (typeof node.maximum === "number" && (value as number) > node.maximum) {
    out.push(`${path}: > maximum`);
  }
  if (type === "array") {
    (value as unknown[]).forEach((v, i) =>
      out.push(...violations(node.items as JsonSchemaNode, v, `${path}[${i}]`))
    );
  }
  if (type === "object") {
    const obj = value as Record<string, unknown>;
    for (const r of (node.required ?? []) as string[]) {
      if (!(r in obj)) out.push(`${path}.${r}: required`);
    }
    const props = (node.properties ?? {}) as Record<string, JsonSchemaNode>;
    for (const [k, v] of Object.entries(obj)) {
      const sub = props[k] ?? node.additionalProperties;
      if (typeof sub === "object") {
        out.push(...violations(sub as JsonSchemaNode, v, `${path}.${k}`));
      } else if (!props[k] && node.properties) out.push(`${path}.${k}: pruned (unknown field)`);
    }
  }
  return out;
}

for (const kind of AERAKI_KINDS) {
  Deno.test(`crdSchema() gives ${kind} a structural schema with a type on every node`, () => {
    const schema = crdSchema(kind);
    assert.deepEqual(untyped(schema), []);
    const props = schema.properties as Record<string, JsonSchemaNode>;
    assert.deepEqual(props.status, {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      description: "What Aeraki observed about this object; written by the operator.",
    });
    assert.equal((props.spec as JsonSchemaNode).type, "object");
  });
}

Deno.test("crdSchema() carries enums, required fields and ranges from the Effect schemas", () => {
  const spec = (crdSchema("MetaRouter").properties as Record<string, JsonSchemaNode>).spec;
  assert.deepEqual(spec.required, ["hosts"]);
  const text = JSON.stringify(crdSchema("DubboAuthorizationPolicy"));
  assert.ok(text.includes('"enum":["ALLOW","DENY"]'));
  assert.ok(JSON.stringify(spec).includes('"minimum":1,"maximum":65535'));
});

Deno.test("toStructural() marks int-or-string and opaque values", () => {
  const schema = toStructural(Schema.Struct({
    port: Schema.Union([Schema.Int, Schema.String]),
    anything: Schema.Unknown,
    mode: Schema.Literals(["A", "B"]),
  }));
  assert.deepEqual(schema.properties, {
    port: { "x-kubernetes-int-or-string": true },
    anything: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    mode: { type: "string", enum: ["A", "B"] },
  });
});

Deno.test("crdSchema() accepts the demo YAMLs of spec §1", async () => {
  const root = new URL("../tests/fixtures/validate/valid/", import.meta.url);
  let checked = 0;
  for (const file of ["metarouters.yaml", "other_kinds.yaml", "quirks.yaml"]) {
    const text = await Deno.readTextFile(new URL(file, root));
    for (const doc of parseAllDocuments(text) as { toJS(): Record<string, unknown> }[]) {
      const object = doc.toJS();
      if (!(AERAKI_KINDS as readonly unknown[]).includes(object.kind)) continue;
      if (!String(object.apiVersion).includes("aeraki.io")) continue;
      assert.deepEqual(
        violations(crdSchema(object.kind as never), object),
        [],
        `${file} ${object.kind}`,
      );
      checked++;
    }
  }
  assert.equal(checked, 11);
});

Deno.test("crdSchema() rejects a demo with a wrong type", () => {
  const object = {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name: "x" },
    spec: { hosts: "a.demo", routes: [{ route: [{ destination: { host: "a" }, weight: 1.5 }] }] },
  };
  assert.deepEqual(violations(crdSchema("MetaRouter"), object), [
    "$.spec.hosts: expected array, got string",
    "$.spec.routes[0].route[0].weight: expected integer, got number",
  ]);
});

/** The paths of every property under `node` that has no description. */
function undocumented(node: Record<string, unknown>, path: string): string[] {
  const out: string[] = [];
  const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, child] of Object.entries(properties)) {
    const at = `${path}.${key}`;
    if (typeof child.description !== "string" || child.description === "") out.push(at);
    out.push(...undocumented(child, at));
  }
  if (typeof node.items === "object" && node.items !== null) {
    out.push(...undocumented(node.items as Record<string, unknown>, `${path}[]`));
  }
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
    out.push(...undocumented(node.additionalProperties as Record<string, unknown>, `${path}{}`));
  }
  return out;
}

Deno.test("crdSchema() describes every property of every kind, for kubectl explain", () => {
  for (const kind of AERAKI_KINDS) {
    const schema = crdSchema(kind);
    assert.equal(typeof schema.description, "string", kind);
    // metadata is ObjectMeta, which the API server documents (and allows nothing else for).
    assert.deepEqual(undocumented(schema, kind), [`${kind}.metadata`], kind);
    assert.deepEqual((schema.properties as Record<string, unknown>).metadata, { type: "object" });
  }
});

Deno.test("crdSchema() carries the API's defaults, enums, limits and patterns", () => {
  const spec = (kind: AerakiKind) =>
    (crdSchema(kind).properties as Record<string, Record<string, unknown>>).spec;
  const at = (node: unknown, ...keys: string[]) =>
    keys.reduce((n, k) => (n as Record<string, Record<string, unknown>>)[k], node) as Record<
      string,
      unknown
    >;
  const route = at(spec("MetaRouter"), "properties", "routes", "items", "properties");
  assert.equal(at(route, "route", "items", "properties", "weight").maximum, 100);
  const destination = at(route, "route", "items", "properties", "destination", "properties");
  assert.equal(at(destination, "subset").pattern, SUBSET_PATTERN);
  const global = at(spec("MetaRouter"), "properties", "globalRateLimit", "properties");
  assert.equal(at(global, "requestTimeout").default, "20ms");
  assert.equal(at(global, "requestTimeout").pattern, DURATION_PATTERN);
  const action = at(spec("DubboAuthorizationPolicy"), "properties", "action");
  assert.deepEqual([action.enum, action.default], [["ALLOW", "DENY"], "ALLOW"]);
});

Deno.test("DURATION_PATTERN accepts exactly the durations the schemas accept", () => {
  const pattern = new RegExp(DURATION_PATTERN, "u");
  for (const text of ["0", "1s", "100ms", "1.5s", "1m30s", "2h", ".5s", "1.s", "10us", "3µs"]) {
    assert.ok(pattern.test(text), text);
    assert.notEqual(parseDuration(text), undefined, text);
  }
  for (const text of ["", "s", "1", "1.5.5s", "-1s", "1 s", "1d", ".s", "1sm"]) {
    assert.equal(pattern.test(text), false, text);
    assert.equal(parseDuration(text), undefined, text);
  }
});
