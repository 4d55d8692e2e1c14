/**
 * Reading the YAML files and folders a command is given: every file's documents (see
 * `_yaml_source.ts`), unreadable paths, empty files and folders without YAML as findings, and
 * objects declared twice reported with both places.
 *
 * @module
 */
import { knownKind } from "../../api/mod.ts";
import { type Finding, objectLabel, parseYamlSource, type SourceDocument } from "./_yaml_source.ts";

/** The identity of an object the commands read (kinds they skip may repeat freely). */
function declarationKey(value: unknown): string | undefined {
  const o = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (knownKind(value) === undefined || typeof o.metadata?.name !== "string") return undefined;
  const version = typeof o.apiVersion === "string" ? o.apiVersion : "";
  const group = version.includes("/") ? version.slice(0, version.indexOf("/")) : "";
  return `${group} ${objectLabel(value)}`;
}

/** Where a document is, as `file:line:column`. */
export function locationOf(doc: SourceDocument): string {
  return `${doc.file}:${doc.start.line}:${doc.start.column}`;
}

/**
 * The documents with each object of a kind the commands check (API group, kind, namespace,
 * name) kept once — the first declaration wins — and a finding for every later one naming both
 * places.
 */
export function withoutDuplicates(documents: readonly SourceDocument[]): {
  documents: SourceDocument[];
  findings: Finding[];
} {
  const first = new Map<string, SourceDocument>();
  const kept: SourceDocument[] = [];
  const findings: Finding[] = [];
  for (const doc of documents) {
    const key = declarationKey(doc.value);
    const earlier = key === undefined ? undefined : first.get(key);
    if (earlier) {
      findings.push({
        file: doc.file,
        position: doc.start,
        object: objectLabel(doc.value),
        message: `Remove one of the two declarations: ${
          locationOf(earlier)
        } declares it too, and the first one wins`,
      });
      continue;
    }
    if (key !== undefined) first.set(key, doc);
    kept.push(doc);
  }
  return { documents: kept, findings };
}

async function yamlFilesOf(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return [path];
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(path)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: string[] = [];
  for (const entry of entries) {
    const child = `${path.replace(/\/+$/, "")}/${entry.name}`;
    if (entry.isDirectory) found.push(...await yamlFilesOf(child));
    else if (entry.isFile && /\.ya?ml$/i.test(entry.name)) found.push(child);
  }
  return found;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Everything read from the paths given. */
export interface YamlInputs {
  /** Objects in input order, each declared once. */
  readonly documents: SourceDocument[];
  readonly findings: Finding[];
  /** How many files were read. */
  readonly files: number;
  /** The names of the paths and files in the order they were read, for sorting findings. */
  readonly order: readonly string[];
}

/** Findings ordered by file (in `order`, others last), line and column; stable otherwise. */
export function sortFindings(findings: readonly Finding[], order: readonly string[]): Finding[] {
  const rank = new Map(order.map((name, i) => [name, i]));
  const key = (f: Finding) => [
    rank.get(f.file) ?? order.length,
    f.position?.line ?? 0,
    f.position?.column ?? 0,
  ];
  return findings.map((f, i) => ({ f, i, k: key(f) })).sort((a, b) =>
    a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i
  ).map((e) => e.f);
}

/**
 * Reads YAML files and folders (searched recursively for `*.yaml` / `*.yml`; `-` is standard
 * input, named `<stdin>`): unreadable paths, syntax errors, non-objects and duplicates become
 * findings, empty files and folders without YAML warnings.
 */
export async function readYamlInputs(
  paths: readonly string[],
  stdin: () => Promise<Uint8Array>,
): Promise<YamlInputs> {
  const documents: SourceDocument[] = [];
  const findings: Finding[] = [];
  let files = 0;
  const order: string[] = [];
  for (const path of paths) {
    order.push(path);
    let found: string[];
    try {
      found = path === "-" ? ["-"] : await yamlFilesOf(path);
    } catch (e) {
      findings.push({ file: path, message: `Check the path: ${errorText(e)}` });
      continue;
    }
    if (found.length === 0) {
      const message = "Add *.yaml or *.yml files to the folder: it holds none";
      findings.push({ file: path, message, warning: true });
    }
    for (const file of found) {
      let text: string;
      try {
        text = file === "-"
          ? new TextDecoder().decode(await stdin())
          : await Deno.readTextFile(file);
      } catch (e) {
        findings.push({ file, message: `Check the file: ${errorText(e)}` });
        continue;
      }
      files++;
      order.push(file === "-" ? "<stdin>" : file);
      const parsed = parseYamlSource(file === "-" ? "<stdin>" : file, text);
      documents.push(...parsed.documents);
      findings.push(...parsed.findings);
    }
  }
  const unique = withoutDuplicates(documents);
  return {
    documents: unique.documents,
    findings: [...findings, ...unique.findings],
    files,
    order,
  };
}
