/**
 * "Did you mean" for names a user typed: the known name closest to a misspelling, by edit
 * distance, when it is close enough to be a likely typo.
 *
 * @module
 */

/** Levenshtein distance between `a` and `b` (case-sensitive). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate closest to `word` (compared case-insensitively) when at most a third of its
 * letters (at least 2) differ, else `undefined`. Ties go to the first candidate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closestName } from "./suggest.ts";
 * assert.equal(closestName("dubo", ["dubbo", "thrift"]), "dubbo");
 * assert.equal(closestName("redis", ["dubbo", "thrift"]), undefined);
 * ```
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * ` (did you mean "x"?)` for a close candidate, else the empty string: a suffix for messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./suggest.ts";
 * assert.equal(didYouMean("thirft", ["dubbo", "thrift"]), ' (did you mean "thrift"?)');
 * assert.equal(didYouMean("kafka", ["dubbo"]), "");
 * ```
 */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const close = closestName(word, candidates);
  return close === undefined ? "" : ` (did you mean ${JSON.stringify(close)}?)`;
}
