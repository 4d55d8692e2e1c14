import assert from "node:assert/strict";
import type protobuf from "protobufjs";
import { lookupType } from "../../proto/mod.ts";
import { POLICY } from "./_policy.ts";

Deno.test("POLICY names real fields, and every used message field has rules of its own", () => {
  const missing: string[] = [];
  for (const [name, rules] of POLICY) {
    const type = lookupType(name);
    assert.ok(type, `unknown type ${name}`);
    for (const [field, rule] of Object.entries(rules)) {
      const f: protobuf.Field | undefined = type.fields[field];
      assert.ok(f, `${name} has no field ${field}`);
      f.resolve();
      const t = f.resolvedType;
      if (rule !== "use" || !t || !("fields" in t)) continue;
      const child = t.fullName.slice(1);
      if (child.startsWith("google.protobuf.")) continue;
      if (!POLICY.has(child)) missing.push(`${name}.${field} → ${child}`);
    }
  }
  assert.deepEqual(missing, []);
});
