/**
 * `deno task aeraki validate PATH…`: an offline admission webhook. Decodes every object in the
 * given YAML files (folders are searched for `*.yaml` / `*.yml`) with the `api/` schemas, checks
 * MetaProtocol port names against the known application protocols, and prints each problem as
 * `file:line:column: Kind/namespace/name: field.path: message`.
 *
 * @module
 */
import {
  decodeObject,
  knownKind,
  type KnownObject,
  metaProtocolPortProblems,
} from "../../api/mod.ts";
import {
  type Finding,
  formatFinding,
  objectLabel,
  parseYamlSource,
  readYamlInputs,
  sortFindings,
  type SourceDocument,
} from "./_yaml_source.ts";
import type { Command, CommandIo } from "./command.ts";

export { objectLabel };

const USAGE = `Usage: deno task aeraki validate PATH…

Decodes every object in the YAML files and folders given (folders are searched recursively
for *.yaml and *.yml) with Aeraki's schemas and the checks of its validation webhook.

Each problem is printed as
  file:line:column: Kind/namespace/name: field.path: message
(line and column of the field, or of the object when the field is missing; cluster-scoped or
namespace-less objects print Kind/name). Warnings are printed the same way with "warning: "
before the message; an empty file or a folder without YAML is a warning. Objects of kinds the
tool does not know are skipped with a note on standard error.

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
  const inputs = await readYamlInputs(args, io.stdin);
  const tally: ValidateTally = {
    files: inputs.files,
    objects: 0,
    problems: 0,
    warnings: 0,
    skipped: 0,
  };
  const findings = [...inputs.findings, ...checkDocuments(inputs.documents, io, tally)];
  report(findings, inputs.order, io, tally);
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

/** Prints findings ordered by file (as read), line and column, and counts them. */
function report(
  findings: readonly Finding[],
  order: readonly string[],
  io: CommandIo,
  tally: ValidateTally,
): void {
  for (const f of sortFindings(findings, order)) {
    io.out(formatFinding(f) + "\n");
    if (f.warning) tally.warnings++;
    else tally.problems++;
  }
}

/**
 * Decodes every document (notes for kinds not checked go to `io.err`), then checks the
 * MetaProtocol ports of the decoded objects against the application protocols they declare.
 */
export function checkDocuments(
  documents: readonly SourceDocument[],
  io: CommandIo,
  tally: ValidateTally,
): Finding[] {
  const findings: Finding[] = [];
  const decoded: { doc: SourceDocument; value: KnownObject }[] = [];
  for (const doc of documents) {
    const object = objectLabel(doc.value);
    if (knownKind(doc.value) === undefined) {
      io.err(
        `${doc.file}:${doc.start.line}:${doc.start.column}: ${object}: skipped: kind not checked by this tool\n`,
      );
      tally.skipped++;
      continue;
    }
    tally.objects++;
    const result = decodeObject(doc.value);
    const found = (path: string, message: string, warning: boolean): Finding => ({
      file: doc.file,
      position: path ? doc.positionOf(path) : doc.start,
      object,
      field: path,
      message,
      ...(warning ? { warning } : {}),
    });
    if (result.ok) {
      decoded.push({ doc, value: result.value });
      for (const w of result.warnings) findings.push(found(w.path, w.message, true));
    } else for (const p of result.problems) findings.push(found(p.path, p.message, false));
  }
  for (const p of metaProtocolPortProblems(decoded.map((d) => d.value))) {
    const { doc } = decoded[p.at];
    findings.push({
      file: doc.file,
      position: doc.positionOf(p.path),
      object: objectLabel(doc.value),
      field: p.path,
      message: p.message,
    });
  }
  return findings;
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
  const parsed = parseYamlSource(file, text);
  report([...parsed.findings, ...checkDocuments(parsed.documents, io, tally)], [file], io, tally);
}
