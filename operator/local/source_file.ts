/**
 * One file of an `aeraki local` folder as objects plus problems in the words of
 * `aeraki validate` (`file:doc#: Kind/ns/name: field: message`).
 *
 * @module
 */
import { parseAllDocuments } from "yaml";
import { memoryIo } from "../cli/command.ts";
import { type ValidateTally, validateText } from "../cli/validate.ts";

/** One object read from a file, and where: `file:doc#`. */
export interface SourcedObject {
  readonly where: string;
  readonly object: unknown;
}

/** What one file gives: its objects, its problems and warnings as printable lines. */
export interface FileContents {
  readonly file: string;
  readonly objects: readonly SourcedObject[];
  /** `file:doc#: Kind/ns/name: field: message`, as `aeraki validate` prints them. */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

function emptyTally(): ValidateTally {
  return { files: 0, objects: 0, problems: 0, warnings: 0, skipped: 0 };
}

/** Reads `text` of `file` as `aeraki validate` does; never throws. */
export function readYamlText(file: string, text: string): FileContents {
  const io = memoryIo();
  validateText(file, text, io, emptyTally());
  const lines = io.stdout().split("\n").filter((l) => l !== "");
  const warnings = lines.filter((l) => /: warning: /.test(l));
  const problems = lines.filter((l) => !/: warning: /.test(l));
  const objects: SourcedObject[] = [];
  if (problems.length === 0) {
    parseAllDocuments(text).forEach((doc, i) => {
      const object = doc.toJS();
      if (object !== null && object !== undefined) {
        objects.push({ where: `${file}:${i + 1}`, object });
      }
    });
  }
  return { file, objects, problems, warnings };
}
