/**
 * Field documentation for the CRD schemas: a check that always passes and carries the field's
 * description (and JSON Schema keywords such as `maximum` or `pattern`) into Effect's JSON Schema
 * output. Effect attaches annotations to a schema's last check and drops those of a filter
 * without JSON Schema, so the description rides on a check of its own, added last.
 *
 * @module
 */
import { Schema, type SchemaAST } from "effect";

/** JSON Schema keywords a field may document beside its description. */
export interface DocKeywords {
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/**
 * A passing check that documents a field: add it with `.check(doc("…"))` as the schema's last
 * check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Schema, type SchemaAST } from "effect";
 * import { doc } from "./_doc.ts";
 * const Weight = Schema.Finite.check(doc("Share of traffic, 0 to 100", { maximum: 100 }));
 * const json = Schema.toJsonSchemaDocument(Weight).schema;
 * assert.deepEqual(json, { type: "number", maximum: 100, description: "Share of traffic, 0 to 100" });
 * assert.equal(Schema.decodeUnknownSync(Weight)(150), 150);
 * ```
 */
export function doc(description: string, keywords: DocKeywords = {}): SchemaAST.Filter<unknown> {
  return Schema.makeFilter(() => undefined, {
    description,
    toJsonSchema: () => ({ ...keywords }),
  });
}
