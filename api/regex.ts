/**
 * Regex checks with RE2 semantics (the syntax Envoy and Aeraki's webhook accept), using
 * re2js — never JavaScript's RegExp, which accepts look-arounds and back-references that
 * RE2 rejects.
 *
 * @module
 */
import { RE2JS } from "re2js";

/**
 * Why `pattern` is not a usable RE2 regex, or `undefined` when it compiles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { re2Problem } from "./regex.ts";
 * assert.equal(re2Problem("say.*"), undefined);
 * assert.match(re2Problem("(?=a)") ?? "", /^Rewrite the regex "\(\?=a\)" in RE2 syntax: /);
 * ```
 */
export function re2Problem(pattern: string): string | undefined {
  if (pattern === "") {
    return "Set a non-empty regex, or use an empty match {} to test presence";
  }
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return `Rewrite the regex ${JSON.stringify(pattern)} in RE2 syntax: ${reason}`;
  }
}

/** Whether `pattern` compiles as an RE2 regex. */
export function isRe2(pattern: string): boolean {
  return re2Problem(pattern) === undefined;
}
