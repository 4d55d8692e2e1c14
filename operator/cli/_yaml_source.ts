/**
 * YAML input as the commands that read it see it: every document of every file with the
 * position (`line:column`) of each field, syntax errors, non-objects, empty input and objects
 * declared twice reported as findings `file:line:column: …`. `List` documents are flattened.
 *
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";

/** A 1-based line and column in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One object of a YAML file. */
export interface SourceDocument {
  readonly file: string;
  /** The document's number in the file, from 1. */
  readonly index: number;
  readonly value: unknown;
  /** Where the object starts. */
  readonly start: Position;
  /** Where a field (`spec.routes[0].weight`) is, or its closest written ancestor. */
  positionOf(field: string): Position;
}

/** Something wrong with the input, located in a file. */
export interface Finding {
  readonly file: string;
  readonly position?: Position;
  /** `Kind/namespace/name` of the object, when the finding is about one. */
  readonly object?: string;
  readonly field?: string;
  readonly message: string;
  readonly warning?: boolean;
}

/** `file:line:column: object: field: [warning: ]message`, leaving out what is unknown. */
export function formatFinding(f: Finding): string {
  const at = f.position ? `${f.file}:${f.position.line}:${f.position.column}` : f.file;
  return [at, f.object, f.field, (f.warning ? "warning: " : "") + f.message]
    .filter((s) => s !== undefined && s !== "").join(": ");
}

const SEGMENT = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** The keys of a field path as `api/`'s `formatPath` writes it. */
export function parseFieldPath(field: string): (string | number)[] {
  const keys: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < field.length) {
    const m = SEGMENT.exec(field);
    if (!m) break;
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(m[3])));
  }
  return keys;
}

/** The node (or, for a map entry, its key) at `keys` under `root`, as deep as it exists. */
function deepest(root: unknown, keys: readonly (string | number)[]): Node | undefined {
  let node = root as Node | undefined;
  let found = node;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      found = (pair.key as Node) ?? found;
      node = pair.value as Node | undefined;
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key] as Node;
      found = node;
    } else break;
  }
  return found;
}

function positioner(counter: LineCounter) {
  return (offset: number): Position => {
    const { line, col } = counter.linePos(offset);
    return { line: Math.max(line, 1), column: col };
  };
}

/** Every object of one YAML text, and its syntax errors and non-objects as findings. */
export function parseYamlSource(file: string, text: string): {
  documents: SourceDocument[];
  findings: Finding[];
} {
  const counter = new LineCounter();
  const at = positioner(counter);
  const documents: SourceDocument[] = [];
  const findings: Finding[] = [];
  const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    const index = i + 1;
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        findings.push({
          file,
          position: at(error.pos[0]),
          message: `Fix the YAML syntax of document ${index}: ${yamlReason(error.message)}`,
        });
      }
      return;
    }
    const value = doc.toJS();
    const contents = doc.contents as Node | null;
    const start = at(contents?.range?.[0] ?? 0);
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      findings.push({
        file,
        position: start,
        message: `Write a Kubernetes object (a map with apiVersion and kind) in document ${index}`,
      });
      return;
    }
    const make = (v: unknown, prefix: (string | number)[]): SourceDocument => ({
      file,
      index,
      value: v,
      start: at((deepest(contents, prefix)?.range?.[0]) ?? 0),
      positionOf: (field) => {
        const node = deepest(contents, [...prefix, ...parseFieldPath(field)]);
        return at(node?.range?.[0] ?? 0);
      },
    });
    const v = value as { kind?: unknown; items?: unknown };
    if (v.kind === "List" && Array.isArray(v.items)) {
      v.items.forEach((item, j) => documents.push(make(item, ["items", j])));
    } else documents.push(make(value, []));
  });
  if (documents.length === 0 && findings.length === 0) {
    findings.push({
      file,
      message: "Add Kubernetes objects to the file: it holds no YAML documents",
      warning: true,
    });
  }
  return { documents, findings };
}

function yamlReason(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

/** `Kind/namespace/name` of a parsed object, with placeholders for what is missing. */
export function objectLabel(object: unknown): string {
  const o = (typeof object === "object" && object !== null ? object : {}) as {
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  const kind = typeof o.kind === "string" ? o.kind : "<no kind>";
  const name = typeof o.metadata?.name === "string" ? o.metadata.name : "<no name>";
  const ns = o.metadata?.namespace;
  return typeof ns === "string" && ns !== "" ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}

function declarationKey(value: unknown): string | undefined {
  const o = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof o.kind !== "string" || typeof o.metadata?.name !== "string") return undefined;
  const version = typeof o.apiVersion === "string" ? o.apiVersion : "";
  const group = version.includes("/") ? version.slice(0, version.indexOf("/")) : "";
  return `${group} ${objectLabel(value)}`;
}

/** Where a document is, as `file:line:column`. */
export function locationOf(doc: SourceDocument): string {
  return `${doc.file}:${doc.start.line}:${doc.start.column}`;
}

/**
 * The documents with each object (API group, kind, namespace, name) kept once — the first
 * declaration wins — and a finding for every later one naming both places.
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
