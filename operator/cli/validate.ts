/**
 * `deno task aeraki validate PATH…`: an offline admission webhook. Decodes every object in the
 * given YAML files (folders are searched for `*.yaml` / `*.yml`) with the `api/` schemas and
 * prints each problem as `file:doc#: Kind/namespace/name: field.path: message`.
 *
 * @module
 */
import { parseAllDocuments } from "yaml";
import { decodeObject, formatProblem, knownKind, type Problem } from "../../api/mod.ts";
import type { Command, CommandIo } from "./command.ts";

const USAGE = `Usage: deno task aeraki validate PATH…

Decodes every object in the YAML files and folders given (folders are searched recursively
for *.yaml and *.yml) with Aeraki's schemas and the checks of its validation webhook.

Each problem is printed as
  file:doc#: Kind/namespace/name: field.path: message
(doc# counts the documents of a file from 1; cluster-scoped or namespace-less objects print
Kind/name). Warnings are printed the same way with "warning: " before the message. Objects of
kinds the tool does not know are skipped with a note on standard error.

Exit status: 0 when every object is valid, 1 when any problem was found, 2 on bad arguments.`;

/** Counts for the summary line. */
export interface ValidateTally {
  files: number;
  objects: number;
  problems: number;
  warnings: number;
  skipped: number;
}

/** The `validate` subcommand. */
export const validateCommand: Command = {
  name: "validate",
  summary: "Check Aeraki CRs and the Istio objects they use, like the admission webhook",
  usage: USAGE,
  run,
};

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(USAGE + "\n");
    return 0;
  }
  const unknown = args.find((a) => a.startsWith("-") && a !== "-");
  if (args.length === 0 || unknown) {
    io.err(
      (unknown
        ? `Cannot validate: unknown option "${unknown}"`
        : "Cannot validate: give at least one file or folder") +
        `\n\n${USAGE}\n`,
    );
    return 2;
  }
  const tally: ValidateTally = { files: 0, objects: 0, problems: 0, warnings: 0, skipped: 0 };
  for (const arg of args) {
    if (arg === "-") {
      const text = new TextDecoder().decode(await io.stdin());
      validateText("<stdin>", text, io, tally);
      continue;
    }
    const files = await collectFiles(arg, io, tally);
    for (const file of files) {
      const text = await readText(file, io, tally);
      if (text !== undefined) validateText(file, text, io, tally);
    }
  }
  io.out(summary(tally) + "\n");
  return tally.problems > 0 ? 1 : 0;
}

/** The closing line: what was checked and what was found. */
export function summary(t: ValidateTally): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const verdict = t.problems > 0 ? "invalid" : "valid";
  return `${verdict}: ${plural(t.objects, "object")} in ${plural(t.files, "file")}, ${
    plural(t.problems, "problem")
  }, ${plural(t.warnings, "warning")}, ${t.skipped} skipped`;
}

async function collectFiles(path: string, io: CommandIo, tally: ValidateTally): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    io.out(`${path}: Cannot read the path: ${errorText(e)}\n`);
    tally.problems++;
    return [];
  }
  if (!info.isDirectory) return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      const child = `${dir.replace(/\/+$/, "")}/${entry.name}`;
      if (entry.isDirectory) await walk(child);
      else if (entry.isFile && /\.ya?ml$/i.test(entry.name)) found.push(child);
    }
  };
  await walk(path);
  return found;
}

async function readText(
  file: string,
  io: CommandIo,
  tally: ValidateTally,
): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(file);
  } catch (e) {
    io.out(`${file}: Cannot read the file: ${errorText(e)}\n`);
    tally.problems++;
    return undefined;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Validates every YAML document of `text` (named `file` in the output), writing problems and
 * warnings to `io.out`, notes to `io.err`, and counting into `tally`.
 */
export function validateText(
  file: string,
  text: string,
  io: CommandIo,
  tally: ValidateTally,
): void {
  tally.files++;
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return;
  docs.forEach((doc, i) => {
    const where = `${file}:${i + 1}`;
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = error.linePos?.[0];
        const at = line ? `${file}:${line.line}:${line.col}` : where;
        io.out(`${at}: Fix the YAML syntax of document ${i + 1}: ${yamlReason(error.message)}\n`);
        tally.problems++;
      }
      return;
    }
    validateObject(where, doc.toJS(), io, tally);
  });
}

function yamlReason(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

function validateObject(where: string, object: unknown, io: CommandIo, tally: ValidateTally): void {
  if (object === null || object === undefined) return;
  const label = objectLabel(object);
  if (knownKind(object) === undefined) {
    if (typeof object !== "object" || Array.isArray(object)) {
      io.out(
        `${where}: Write a Kubernetes object (a map with apiVersion and kind) in this document\n`,
      );
      tally.problems++;
      return;
    }
    io.err(`${where}: ${label}: skipped: kind not checked by this tool\n`);
    tally.skipped++;
    return;
  }
  tally.objects++;
  const result = decodeObject(object);
  const print = (p: Problem, prefix = "") =>
    io.out(`${where}: ${label}: ${formatProblem({ path: p.path, message: prefix + p.message })}\n`);
  for (const w of result.warnings) print(w, "warning: ");
  tally.warnings += result.warnings.length;
  if (!result.ok) {
    result.problems.forEach((p) => print(p));
    tally.problems += result.problems.length;
  }
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
