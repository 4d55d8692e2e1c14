/**
 * `deno task aeraki render [--format yaml|json] PATH…`: prints what the operator would generate
 * for the Kubernetes YAML in the given files and folders — the "why isn't my rule applied?"
 * tool. Services become synthetic ServiceEntries, ConfigMap `istio` (key `mesh`) is the mesh
 * config, Secrets are read for Redis auth; problems name the object and field to fix.
 *
 * @module
 */
import { parse } from "yaml";
import {
  type GenerateOptions,
  type GenerateProblem,
  generatorForPort,
  MeshGenerator,
  type MeshOutput,
  type MeshSnapshot,
  objectRef,
  snapshotFromObjects,
  sortProblems,
} from "../generate/mod.ts";
import {
  type Finding,
  formatFinding,
  objectLabel,
  readYamlInputs,
  type SourceDocument,
  type YamlInputs,
} from "./_yaml_source.ts";
import type { Command, CommandIo } from "./command.ts";
import { formatJson, formatYaml } from "./render_format.ts";

const USAGE = `Usage: deno task aeraki render [--format yaml|json] [--root-namespace NS]
                              [--namespace-scope] PATH…

Reads Kubernetes objects from the YAML files and folders given (folders are searched
recursively for *.yaml and *.yml; "-" reads standard input) and prints the EnvoyFilters,
VirtualServices and MetaProtocol route configurations Aeraki would generate for them.

  --format yaml        readable YAML, one document per object with a comment naming the input
                       it came from; route configurations and problems as comments (default)
  --format json        one JSON object {envoyFilters, virtualServices, routeConfigurations,
                       problems}
  --root-namespace NS  Istio's root namespace (default istio-system)
  --namespace-scope    put EnvoyFilters in each service's namespace

Exit status: 0 without problems, 1 when any problem was found, 2 on bad arguments.`;

/** Parsed arguments of `render`. */
export interface RenderArgs {
  readonly format: "yaml" | "json";
  readonly options: GenerateOptions;
  readonly paths: readonly string[];
}

/** Parses `render`'s arguments, or returns why they are wrong. */
export function parseRenderArgs(args: readonly string[]): RenderArgs | { error: string } {
  let format: "yaml" | "json" = "yaml";
  const options: { rootNamespace?: string; namespaceScope?: boolean } = {};
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") ? args[i].split("=", 2) : [args[i]];
    const value = () => inline ?? args[++i];
    if (flag === "--format") {
      const f = value();
      if (f !== "yaml" && f !== "json") return { error: `Use --format yaml or json: got "${f}"` };
      format = f;
    } else if (flag === "--root-namespace") {
      const ns = value();
      if (!ns) return { error: "Give a namespace after --root-namespace" };
      options.rootNamespace = ns;
    } else if (flag === "--namespace-scope") options.namespaceScope = true;
    else if (flag.startsWith("-") && flag !== "-") {
      return { error: `Remove unknown option "${flag}"` };
    } else paths.push(flag);
  }
  if (paths.length === 0) return { error: "Give at least one file or folder" };
  return { format, options, paths };
}

/**
 * Reads every path (`-` is standard input) into documents (each object declared once) and
 * findings: unreadable paths, YAML syntax errors, non-objects, duplicates, empty input.
 */
export function readInputs(paths: readonly string[], io: CommandIo): Promise<YamlInputs> {
  return readYamlInputs(paths, io.stdin);
}

/**
 * The problems of an output as findings located in the input: each names the object the user
 * wrote (a Service, not its synthetic ServiceEntry) and the file, line and column of the field.
 */
export function locateProblems(
  problems: readonly GenerateProblem[],
  documents: readonly SourceDocument[],
): Finding[] {
  const byLabel = new Map<string, SourceDocument>();
  for (const doc of documents) {
    const label = objectLabel(doc.value);
    if (!byLabel.has(label)) byLabel.set(label, doc);
  }
  return problems.map((p) => {
    const doc = byLabel.get(p.object);
    const where = doc
      ? { file: doc.file, position: p.field ? doc.positionOf(p.field) : doc.start }
      : { file: "" };
    return {
      ...where,
      object: p.object,
      field: p.field,
      message: p.message,
      ...(p.warning ? { warning: true } : {}),
    };
  });
}

/**
 * Notes on what the output lacks for a reason that is not a problem: a service whose ports
 * Aeraki handles but that has no address gets no outbound EnvoyFilter, since Istio names its
 * outbound listener `<address>_<port>` — in a cluster the operator reads the ClusterIP (or
 * allocates a VIP for a ServiceEntry), but a YAML file may not carry one.
 */
export function renderNotes(
  snapshot: MeshSnapshot,
  origins: ReadonlyMap<string, string>,
): string[] {
  const notes: string[] = [];
  for (const se of snapshot.serviceEntries) {
    if ((se.spec.addresses ?? []).length > 0) continue;
    if (se.spec.resolution === "NONE") continue;
    const handled = (se.spec.ports ?? []).filter((p) => generatorForPort(p) !== undefined);
    if (handled.length === 0) continue;
    const ref = objectRef(se);
    const source = origins.get(ref) ?? ref;
    const fix = source.startsWith("Service/")
      ? "set spec.clusterIP to render them"
      : "add spec.addresses (the operator allocates one from 240.240.0.0/16 in a cluster)";
    notes.push(
      `${source} has no address, so no outbound EnvoyFilter is rendered for port${
        handled.length > 1 ? "s" : ""
      } ${handled.map((p) => p.number).join(", ")}: ${fix}`,
    );
  }
  return notes.sort();
}

/** Generates from parsed objects; returns the output and how to name each object's source. */
export function renderObjects(objects: readonly unknown[], options: GenerateOptions = {}): {
  output: MeshOutput;
  sourceOf: (item: object) => string | undefined;
  notes: string[];
} {
  const input = snapshotFromObjects(objects, { parseYaml: parse, domain: options.domain });
  const generator = new MeshGenerator(options);
  const generated = generator.generate(input.snapshot);
  const named = (text: string) =>
    text.replace(
      /ServiceEntry\/[^\s/,]+\/synthetic-[^\s,]+/g,
      (ref) => input.origins.get(ref) ?? ref,
    );
  const output = {
    ...generated,
    problems: sortProblems(
      [...input.problems, ...generated.problems].map((p) => ({
        ...p,
        object: named(p.object),
        message: named(p.message),
      })),
    ),
  };
  const sourceOf = (item: object) => {
    const ref = generator.sourceOf(item);
    return ref === undefined ? undefined : input.origins.get(ref) ?? ref;
  };
  return { output, sourceOf, notes: renderNotes(input.snapshot, input.origins) };
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(USAGE + "\n");
    return 0;
  }
  const parsed = parseRenderArgs(args);
  if ("error" in parsed) {
    io.err(`Cannot render: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  const read = await readInputs(parsed.paths, io);
  const { output, sourceOf, notes } = renderObjects(
    read.documents.map((d) => d.value),
    parsed.options,
  );
  const findings = [...read.findings, ...locateProblems(output.problems, read.documents)];
  const errors = findings.filter((f) => !f.warning);
  io.out(
    parsed.format === "json"
      ? formatJson({ ...output, problems: findings.map(findingJson) })
      : formatYaml({ ...output, problems: findings.map(findingJson) }, sourceOf, notes, {
        problemLine: (p) => formatFinding(p as unknown as Finding),
      }),
  );
  for (const note of notes) io.err(`note: ${note}\n`);
  for (const w of findings.filter((f) => f.warning)) io.err(`${formatFinding(w)}\n`);
  if (errors.length === 0) return 0;
  io.err(`Found ${errors.length} problem(s):\n`);
  for (const f of errors) io.err(`  ${formatFinding(f)}\n`);
  return 1;
}

/** A finding in render's JSON: a problem plus where it is (file, line, column) when known. */
function findingJson(f: Finding): GenerateProblem & Finding {
  return {
    object: f.object ?? "",
    field: f.field ?? "",
    message: f.message,
    file: f.file,
    ...(f.position ? { position: f.position } : {}),
    ...(f.warning ? { warning: true } : {}),
  };
}

/** The `render` subcommand. */
export const renderCommand: Command = {
  name: "render",
  summary: "Print the EnvoyFilters and routes Aeraki would generate for YAML files",
  usage: USAGE,
  run,
};
