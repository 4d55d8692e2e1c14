import assert from "node:assert/strict";
import { formatFinding, parseFieldPath, parseYamlSource, sortFindings } from "./_yaml_source.ts";

Deno.test("parseFieldPath() reads the paths api/ writes", () => {
  assert.deepEqual(parseFieldPath('spec.routes[0].match.attributes["x.y"].exact'), [
    "spec",
    "routes",
    0,
    "match",
    "attributes",
    "x.y",
    "exact",
  ]);
  assert.deepEqual(parseFieldPath(""), []);
});

Deno.test("parseYamlSource() locates fields, missing fields and List items", () => {
  const text = "apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    metadata:\n" +
    "      name: a\n  - kind: Service\n    spec:\n      ports: [{name: x, port: 1}]\n";
  const { documents, findings } = parseYamlSource("f.yaml", text);
  assert.deepEqual(findings, []);
  assert.equal(documents.length, 2);
  assert.deepEqual(documents[0].start, { line: 4, column: 5 });
  assert.deepEqual(documents[0].positionOf("metadata.name"), { line: 6, column: 7 });
  assert.deepEqual(documents[1].positionOf("spec.ports[0].port"), { line: 9, column: 25 });
  // A missing field points at its closest written ancestor.
  assert.deepEqual(documents[1].positionOf("spec.selector.app"), { line: 8, column: 5 });
});

Deno.test("parseYamlSource() reports non-objects and empty files", () => {
  const bad = parseYamlSource("f.yaml", "---\n- a\n");
  assert.deepEqual(bad.findings.map(formatFinding), [
    "f.yaml:2:1: Write a Kubernetes object (a map with apiVersion and kind) in document 1",
  ]);
  assert.deepEqual(
    parseYamlSource("e.yaml", "# only a comment\n---\n").findings.map(formatFinding),
    [
      "e.yaml: warning: Add Kubernetes objects to the file: it holds no YAML documents",
    ],
  );
});

Deno.test("sortFindings() orders by file as read, then line and column", () => {
  const at = (file: string, line: number) => ({
    file,
    position: { line, column: 1 },
    message: "m",
  });
  assert.deepEqual(
    sortFindings([at("b", 1), at("a", 9), at("a", 2), { file: "c", message: "m" }], ["a", "b"]),
    [at("a", 2), at("a", 9), at("b", 1), { file: "c", message: "m" }],
  );
});
