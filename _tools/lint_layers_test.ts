import assert from "node:assert/strict";
import { layerViolation, projectPath, resolveRelative } from "./lint_layers.ts";

Deno.test("layerViolation() rejects a leaf importing project code", () => {
  assert.match(
    layerViolation("api/x.ts", "codecs/mod.ts") ?? "",
    /api\/: this layer may import nothing of ours/,
  );
  assert.match(layerViolation("codecs/dubbo/x.ts", "proxy/mod.ts") ?? "", /may import proto\//);
  assert.match(
    layerViolation("operator/generate/x.ts", "operator/kube/mod.ts") ?? "",
    /Cannot import/,
  );
});

Deno.test("layerViolation() allows the arrows of STYLE.md", () => {
  assert.equal(layerViolation("codecs/trpc/x.ts", "proto/trpc.ts"), undefined);
  assert.equal(layerViolation("constructs/x.ts", "operator/generate/mod.ts"), undefined);
  assert.equal(layerViolation("operator/cli/x.ts", "codecs/mod.ts"), undefined);
  assert.equal(layerViolation("api/main.ts", "operator/mod.ts"), undefined);
  assert.equal(layerViolation("tests/x.ts", "proxy/mod.ts"), undefined);
  assert.equal(layerViolation("api/x_test.ts", "tests/fake.ts"), undefined);
});

Deno.test("resolveRelative() and projectPath() give root-relative paths", () => {
  assert.equal(resolveRelative("codecs/dubbo/x.ts", "../../api/mod.ts"), "api/mod.ts");
  assert.equal(projectPath("file:///r/p/api/a.ts", "/r/p"), "api/a.ts");
  assert.equal(projectPath("/elsewhere/a.ts", "/r/p"), undefined);
});
