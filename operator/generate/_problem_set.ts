/**
 * Problems as a counted set kept sorted (by object, field, message, without duplicates), so
 * the problems of one changed unit are swapped in by binary search instead of re-sorting the
 * problems of the whole mesh.
 *
 * @module
 */
import type { GenerateProblem } from "./snapshot.ts";

function compareProblems(a: GenerateProblem, b: GenerateProblem): number {
  for (const k of ["object", "field", "message"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

/** Sorts and de-duplicates problems. */
export function sortProblems(problems: readonly GenerateProblem[]): GenerateProblem[] {
  const sorted = [...problems].sort(compareProblems);
  return sorted.filter((p, i) => i === 0 || compareProblems(sorted[i - 1], p) !== 0);
}

function keyOf(p: GenerateProblem): string {
  return `${p.object}\u0000${p.field}\u0000${p.message}`;
}

/** A multiset of problems with a sorted, de-duplicated view. */
export class ProblemSet {
  readonly #counts = new Map<string, number>();
  #sorted: GenerateProblem[] = [];
  /** Pending additions before the first `sorted()`: sorted once in bulk. */
  #bulk: GenerateProblem[] | undefined = [];
  #shared = false;

  /** Adds one occurrence of each problem. */
  addAll(problems: readonly GenerateProblem[]): void {
    for (const p of problems) {
      const key = keyOf(p), n = this.#counts.get(key) ?? 0;
      this.#counts.set(key, n + 1);
      if (n > 0) continue;
      if (this.#bulk) this.#bulk.push(p);
      else this.#edit(p, true);
    }
  }

  /** Removes one occurrence of each problem (each must have been added). */
  removeAll(problems: readonly GenerateProblem[]): void {
    this.#flush();
    for (const p of problems) {
      const key = keyOf(p), n = this.#counts.get(key) ?? 0;
      if (n > 1) {
        this.#counts.set(key, n - 1);
        continue;
      }
      this.#counts.delete(key);
      if (n === 1) this.#edit(p, false);
    }
  }

  /** The distinct problems, sorted; the array is not changed afterwards (edits copy it). */
  sorted(): GenerateProblem[] {
    this.#flush();
    this.#shared = true;
    return this.#sorted;
  }

  #flush(): void {
    if (!this.#bulk) return;
    this.#sorted = this.#bulk.sort(compareProblems);
    this.#bulk = undefined;
  }

  #edit(p: GenerateProblem, add: boolean): void {
    if (this.#shared) this.#sorted = this.#sorted.slice();
    this.#shared = false;
    let lo = 0, hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareProblems(this.#sorted[mid], p) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (add) this.#sorted.splice(lo, 0, p);
    else this.#sorted.splice(lo, 1);
  }
}
