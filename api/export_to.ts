/**
 * `exportTo` of MetaRouter (the namespaces that receive the generated EnvoyFilters) with the
 * webhook's rules, and its resolution.
 *
 * Quirk Q14: `["~"]` passed upstream's webhook and produced an EnvoyFilter in a namespace named
 * `~`. Here `~` keeps Istio's meaning, "exported nowhere": it is accepted alone, resolves to no
 * namespace at all, and {@link exportToWarnings} points out that nothing will be generated.
 *
 * @module
 */
import { isDns1123Label } from "./names.ts";

/** One `exportTo` problem: the index of the offending entry and the message. */
export interface ExportToProblem {
  readonly index: number;
  readonly message: string;
}

/**
 * The webhook's `exportTo` checks: no duplicates (`.` and the object's own namespace are the
 * same), `*` and `~` only alone, every other entry a namespace name.
 */
export function exportToProblems(
  exportTo: readonly string[],
  namespace: string | undefined,
): ExportToProblem[] {
  const problems: ExportToProblem[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of exportTo.entries()) {
    const key = entry === "." && namespace ? namespace : entry;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        index,
        message: `Remove the duplicate entry ${JSON.stringify(entry)}: entry ${first} (${
          JSON.stringify(exportTo[first])
        }) already exports to ${JSON.stringify(key)}`,
      });
      continue;
    }
    seen.set(key, index);
    if (entry !== "." && entry !== "*" && entry !== "~" && !isDns1123Label(entry)) {
      problems.push({
        index,
        message: `Use ".", "*", "~" or a namespace name: got ${JSON.stringify(entry)}`,
      });
    }
    if ((entry === "*" || entry === "~") && exportTo.length > 1) {
      const meaning = entry === "*" ? "every namespace" : "no namespace";
      problems.push({
        index,
        message: `Remove the other entries or ${JSON.stringify(entry)}: ${
          JSON.stringify(entry)
        } means ${meaning} and must stand alone`,
      });
    }
  }
  return problems;
}

/** Warnings for an `exportTo` that is valid but surprising (`["~"]`, quirk Q14). */
export function exportToWarnings(exportTo: readonly string[] | undefined): string[] {
  return exportTo?.length === 1 && exportTo[0] === "~"
    ? [
      `Remove "~" unless you mean it: the MetaRouter is exported nowhere, so no EnvoyFilter is generated for its host`,
    ]
    : [];
}

/** Where the EnvoyFilters of a MetaRouter go. */
export type ExportTarget =
  | { readonly kind: "default" }
  | { readonly kind: "namespaces"; readonly namespaces: readonly string[] };

/**
 * Resolves `exportTo`: absent or empty → the default namespace choice of the generator;
 * otherwise the sorted, de-duplicated namespaces (`.` → `namespace`, `*` → `rootNamespace`,
 * `~` → none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveExportTo } from "./export_to.ts";
 * assert.deepEqual(
 *   resolveExportTo([".", "*"], { namespace: "app", rootNamespace: "istio-system" }),
 *   { kind: "namespaces", namespaces: ["app", "istio-system"] },
 * );
 * assert.deepEqual(
 *   resolveExportTo(["~"], { namespace: "app", rootNamespace: "istio-system" }),
 *   { kind: "namespaces", namespaces: [] },
 * );
 * ```
 */
export function resolveExportTo(
  exportTo: readonly string[] | undefined,
  options: { readonly namespace: string; readonly rootNamespace: string },
): ExportTarget {
  if (!exportTo || exportTo.length === 0) return { kind: "default" };
  const out = new Set<string>();
  for (const entry of exportTo) {
    if (entry === "~") continue;
    out.add(entry === "." ? options.namespace : entry === "*" ? options.rootNamespace : entry);
  }
  return { kind: "namespaces", namespaces: [...out].sort() };
}
