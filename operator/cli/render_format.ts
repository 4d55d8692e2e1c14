/**
 * How `aeraki render` prints a mesh output: readable multi-document YAML (each object under a
 * comment naming it and the input it came from; route configurations and problems as comments,
 * so the stream stays `kubectl apply`-able), or one JSON object.
 *
 * @module
 */
import { stringify } from "yaml";
import type { GeneratedObject, GenerateProblem, MeshOutput } from "../generate/mod.ts";

/** Names the input an output object came from (`Kind/namespace/name`), if known. */
export type SourceOf = (item: object) => string | undefined;

/** Plain YAML: block style, no anchors for shared objects, long strings unfolded. */
export function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}

function readableRef(ref: string | undefined): string {
  if (!ref) return "";
  const [kind, ...rest] = ref.split("/");
  return ` (from ${kind} ${rest.join("/")})`;
}

function commented(text: string): string {
  return text.trimEnd().split("\n").map((l) => (l ? `# ${l}` : "#")).join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** One line per problem: `Kind/ns/name field: message`. */
export function problemLine(p: GenerateProblem): string {
  return `${p.object}${p.field ? ` ${p.field}` : ""}: ${p.message}`;
}

function objectDoc(obj: GeneratedObject, sourceOf: SourceOf): string {
  const header = `# ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}${
    readableRef(sourceOf(obj))
  }`;
  return `${header}\n${toYaml(obj)}`;
}

/** The YAML rendering of `output`. */
export function formatYaml(
  output: MeshOutput,
  sourceOf: SourceOf,
  notes: readonly string[] = [],
  options: { readonly problemLine?: (p: GenerateProblem) => string } = {},
): string {
  const line = options.problemLine ?? problemLine;
  const docs: string[] = [];
  const summary = `# aeraki render: ${plural(output.envoyFilters.length, "EnvoyFilter")}, ${
    plural(output.virtualServices.length, "VirtualService")
  }, ${plural(output.routeConfigurations.length, "route configuration")}, ${
    plural(output.problems.length, "problem")
  }`;
  for (const obj of [...output.envoyFilters, ...output.virtualServices]) {
    docs.push(objectDoc(obj, sourceOf));
  }
  const tail: string[] = [];
  for (const rc of output.routeConfigurations) {
    tail.push(
      `# Route configuration ${rc.name}, served over RDS${readableRef(sourceOf(rc))}:\n` +
        commented(toYaml(rc)),
    );
  }
  if (notes.length > 0) tail.push(`# Notes:\n${notes.map((n) => `# - ${n}`).join("\n")}`);
  if (output.problems.length > 0) {
    tail.push(`# Problems:\n${output.problems.map((p) => `# - ${line(p)}`).join("\n")}`);
  }
  const body = docs.length > 0 ? docs.join("---\n") : "";
  return [summary, body.trimEnd(), ...tail].filter((s) => s !== "").join("\n") + "\n";
}

/** The JSON rendering: exactly `{envoyFilters, virtualServices, routeConfigurations, problems}`. */
export function formatJson(output: MeshOutput): string {
  const { envoyFilters, virtualServices, routeConfigurations, problems } = output;
  return JSON.stringify({ envoyFilters, virtualServices, routeConfigurations, problems }, null, 2) +
    "\n";
}
