/**
 * Problems: what a decode found wrong, as `{ path, message }` pairs a user can act on, and the
 * flattening of Effect's `SchemaIssue` tree into them.
 *
 * @module
 */
import type { SchemaAST, SchemaIssue } from "effect";

/** One thing wrong with an object: where (`spec.routes[0].route[1].weight`) and what to do. */
export interface Problem {
  /** The field path, e.g. `spec.routes[0].route[1].weight`; empty for the whole object. */
  readonly path: string;
  /** Action first, sentence case, values quoted, no trailing period. */
  readonly message: string;
}

/** The outcome of decoding: a typed value, or every problem found. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Renders a path as `spec.routes[0].match.attributes["x.y"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./problem.ts";
 * assert.equal(formatPath(["spec", "routes", 0, "weight"]), "spec.routes[0].weight");
 * assert.equal(formatPath(["attributes", "x.y"]), 'attributes["x.y"]');
 * ```
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Renders one problem as `path: message` (just the message when the path is empty). */
export function formatProblem(problem: Problem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

/** Quotes a value for a message: strings in double quotes, short JSON for the rest. */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return typeof value;
}

/**
 * Flattens an Effect schema issue into problems, each with its full field path.
 * `prefix` is prepended to every path (for a schema applied to a part of an object).
 */
export function issueToProblems(
  issue: SchemaIssue.Issue,
  prefix: ReadonlyArray<PropertyKey> = [],
): Problem[] {
  const out: Problem[] = [];
  walk(issue, [...prefix], out);
  return dedupe(out);
}

function walk(issue: SchemaIssue.Issue, path: PropertyKey[], out: Problem[]): void {
  const add = (message: string): void => void out.push({ path: formatPath(path), message });
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...issue.path], out);
    case "Composite":
      return issue.issues.forEach((i) => walk(i, path, out));
    case "Encoding":
      return walk(issue.issue, path, out);
    case "Filter":
      return walkFilter(issue, path, out);
    case "AnyOf":
      if (issue.issues.length > 0) return issue.issues.forEach((i) => walk(i, path, out));
      return add(`Use ${describe(issue.ast)}: got ${quote(issue.input)}`);
    case "OneOf":
      return add(`Make the value match exactly one of ${describe(issue.ast)}`);
    case "MissingKey":
      return add(`Add the required field ${quote(String(path.at(-1) ?? ""))}`);
    case "UnexpectedKey":
      return add(
        `Remove the unknown field ${quote(String(path.at(-1) ?? ""))} or fix its spelling`,
      );
    case "InvalidType":
      return add(`Use ${describe(issue.ast)}: got ${quote(issue.input)}`);
    case "InvalidValue":
    case "Forbidden":
      return add(messageOf(issue.annotations) ?? `Use a valid value: got ${quote(issue.input)}`);
  }
}

function walkFilter(issue: SchemaIssue.Filter, path: PropertyKey[], out: Problem[]): void {
  const inner = issue.issue;
  if (inner._tag !== "InvalidValue") return walk(inner, path, out);
  const own = messageOf(inner.annotations);
  const annotations = issue.filter.annotations;
  const expected = typeof annotations?.expected === "string" ? annotations.expected : undefined;
  const message = own ?? messageOf(annotations) ??
    (expected ? `Use ${expected}` : "Use a valid value");
  const got = own === undefined && "input" in issue ? `: got ${quote(issue.input)}` : "";
  out.push({ path: formatPath(path), message: message + got });
}

function messageOf(annotations: { readonly message?: unknown } | undefined): string | undefined {
  return typeof annotations?.message === "string" ? annotations.message : undefined;
}

/** Describes what a schema node expects, for "Use …" messages. */
function describe(ast: SchemaAST.AST): string {
  switch (ast._tag) {
    case "String":
      return "a string";
    case "Number":
      return ast.checks?.some((c) => c.annotations?.expected === "an integer")
        ? "a whole number"
        : "a number";
    case "Boolean":
      return "true or false";
    case "Null":
      return "null";
    case "Literal":
      return quote(ast.literal);
    case "Arrays":
      return "a list";
    case "Objects":
      return ast.propertySignatures.length === 0 && ast.indexSignatures.length > 0
        ? "a map"
        : "an object";
    case "Union": {
      const members = ast.types.map(describe);
      return ast.types.every((t) => t._tag === "Literal")
        ? `one of ${members.join(", ")}`
        : members.join(" or ");
    }
    default:
      return "a valid value";
  }
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
