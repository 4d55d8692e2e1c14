/**
 * `StringMatch` and `MetaRouteMatch` of MetaRouter: attribute name → exact / prefix / regex.
 * An empty match `{}` means "the attribute is present" — the proto's documented meaning, which
 * upstream silently skipped (quirk Q19). Regexes are RE2.
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
import { re2Problem } from "./regex.ts";

/**
 * A string match: at most one of `exact`, `prefix`, `regex` (RE2). `{}` matches any value as
 * long as the attribute is present (quirk Q19).
 */
export const StringMatch = Schema.Struct({
  exact: Schema.optionalKey(Schema.String.check(doc("Matches a value equal to this string."))),
  prefix: Schema.optionalKey(
    Schema.String.check(doc("Matches a value starting with this string.")),
  ),
  regex: Schema.optionalKey(
    Schema.String.check(
      doc(
        "Matches a value that an RE2 regular expression matches whole (https://github.com/google/re2/wiki/Syntax).",
      ),
    ),
  ),
}).check(
  Schema.makeFilter((m) => {
    const set = (["exact", "prefix", "regex"] as const).filter((k) => m[k] !== undefined);
    if (set.length > 1) {
      return `Keep only one of ${set.map((k) => `"${k}"`).join(", ")}: a string match has one kind`;
    }
    if (m.regex === undefined) return undefined;
    const problem = re2Problem(m.regex);
    return problem ? { path: ["regex"], issue: problem } : undefined;
  }, { expected: "one of exact, prefix, regex" }),
);

/** A string match: at most one of `exact`, `prefix`, `regex`; `{}` means presence. */
export type StringMatch = typeof StringMatch.Type;

/** How a {@link StringMatch} matches. */
export type StringMatchKind = "exact" | "prefix" | "regex" | "present";

/**
 * Which kind of match `m` is; `{}` is `"present"` (quirk Q19).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringMatchKind } from "./string_match.ts";
 * assert.equal(stringMatchKind({}), "present");
 * assert.equal(stringMatchKind({ exact: "sayHello" }), "exact");
 * ```
 */
export function stringMatchKind(m: StringMatch): StringMatchKind {
  if (m.exact !== undefined) return "exact";
  if (m.prefix !== undefined) return "prefix";
  if (m.regex !== undefined) return "regex";
  return "present";
}

/** Request attributes (e.g. `method`, `interface`) that must all match (AND). */
export const MetaRouteMatch = Schema.Struct({
  attributes: Schema.optionalKey(
    Schema.Record(
      Schema.String,
      StringMatch.check(
        doc(
          "How one attribute must match (case-sensitive): at most one of exact, prefix or " +
            "regex; an empty match {} only requires the attribute to be present.",
        ),
      ),
    ).check(
      doc(
        "Request attributes the codec extracts (such as interface, method or a header), by " +
          "name; every one listed must match (AND).",
      ),
    ),
  ),
}).check(
  Schema.makeFilter((m) =>
    Object.keys(m.attributes ?? {}).includes("")
      ? { path: ["attributes"], issue: "Name every attribute: an attribute name is empty" }
      : undefined
  ),
  doc("Conditions on request attributes; an empty match matches every request."),
);

/** Request attributes that must all match. */
export type MetaRouteMatch = typeof MetaRouteMatch.Type;
