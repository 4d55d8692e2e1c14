/**
 * A validator for Kubernetes structural OpenAPI v3 schemas (the subset CRDs use: type,
 * properties, required, additionalProperties, items, enum, minimum/maximum, minItems,
 * maxItems, minLength, pattern, nullable, x-kubernetes-preserve-unknown-fields,
 * x-kubernetes-int-or-string). Unlike the API server, which prunes unknown fields
 * silently, it reports them, so a typo in a CR fails the test.
 *
 * @module
 */

/** A node of a structural schema. */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly "x-kubernetes-int-or-string"?: boolean;
}

/** Returns every violation of `schema` by `value`, as `path: message`. */
export function validateAgainstSchema(schema: SchemaNode, value: unknown, path = ""): string[] {
  if (value === null) return schema.nullable ? [] : [`${path || "."}: must not be null`];
  if (schema["x-kubernetes-int-or-string"]) {
    return typeof value === "string" || Number.isInteger(value)
      ? []
      : [`${path}: must be an integer or a string`];
  }
  const typeProblem = checkType(schema.type, value, path);
  if (typeProblem) return [typeProblem];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) {
    out.push(`${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (typeof value === "number") out.push(...checkNumber(schema, value, path));
  if (typeof value === "string") out.push(...checkString(schema, value, path));
  if (Array.isArray(value)) out.push(...checkArray(schema, value, path));
  else if (typeof value === "object") {
    out.push(...checkObject(schema, value as Record<string, unknown>, path));
  }
  return out;
}

function checkType(type: string | undefined, value: unknown, path: string): string | undefined {
  const ok = type === undefined ||
    (type === "object" && typeof value === "object" && !Array.isArray(value)) ||
    (type === "array" && Array.isArray(value)) ||
    (type === "string" && typeof value === "string") ||
    (type === "boolean" && typeof value === "boolean") ||
    (type === "number" && typeof value === "number") ||
    (type === "integer" && Number.isInteger(value));
  return ok ? undefined : `${path || "."}: must be of type ${type}, got ${JSON.stringify(value)}`;
}

function checkNumber(schema: SchemaNode, value: number, path: string): string[] {
  const out: string[] = [];
  if (schema.minimum !== undefined && value < schema.minimum) {
    out.push(`${path}: must be at least ${schema.minimum}`);
  }
  if (schema.maximum !== undefined && value > schema.maximum) {
    out.push(`${path}: must be at most ${schema.maximum}`);
  }
  return out;
}

function checkString(schema: SchemaNode, value: string, path: string): string[] {
  const out: string[] = [];
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    out.push(`${path}: must have at least ${schema.minLength} characters`);
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) {
    out.push(`${path}: must match ${schema.pattern}`);
  }
  return out;
}

function checkArray(schema: SchemaNode, value: unknown[], path: string): string[] {
  const out: string[] = [];
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    out.push(`${path}: must have at least ${schema.minItems} items`);
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    out.push(`${path}: must have at most ${schema.maxItems} items`);
  }
  if (schema.items) {
    value.forEach((v, i) => out.push(...validateAgainstSchema(schema.items!, v, `${path}[${i}]`)));
  }
  return out;
}

function checkObject(schema: SchemaNode, value: Record<string, unknown>, path: string): string[] {
  const out: string[] = [];
  for (const key of schema.required ?? []) {
    if (!(key in value)) out.push(`${path ? path + "." : ""}${key}: is required`);
  }
  for (const [key, v] of Object.entries(value)) {
    const sub = `${path ? path + "." : ""}${key}`;
    const prop = schema.properties?.[key];
    if (prop) out.push(...validateAgainstSchema(prop, v, sub));
    else if (typeof schema.additionalProperties === "object") {
      out.push(...validateAgainstSchema(schema.additionalProperties, v, sub));
    } else if (
      !schema["x-kubernetes-preserve-unknown-fields"] && schema.additionalProperties !== true
    ) {
      out.push(`${sub}: unknown field`);
    }
  }
  return out;
}
