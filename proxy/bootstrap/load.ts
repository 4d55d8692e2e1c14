/**
 * Reads an Envoy v3 bootstrap the way `envoy -c` does and compiles it: YAML or JSON text,
 * proto3 JSON with snake_case or lowerCamelCase names, `typed_config` chosen by `@type`,
 * checked strictly against the real protos, a single object accepted where a list is
 * expected; then the loader policy (implemented / ignored / refused fields) and the compile
 * to the runtime model.
 *
 * @module
 */
import { decodeJson, lookupType } from "../../proto/mod.ts";
import { CompileContext } from "./_context.ts";
import { Normalizer, type PathNote, type Plain } from "./_normalize.ts";
import { parseBootstrapText } from "./_parse.ts";
import { compileBootstrap, type CompiledBootstrap, type CompileOptions } from "./compile.ts";

const BOOTSTRAP = "envoy.config.bootstrap.v3.Bootstrap";

/** A problem, ignored field or warning in a bootstrap file. */
export interface BootstrapNote {
  readonly file: string;
  /** The JSON path, in the file's own key spelling ("" for the whole file). */
  readonly path: string;
  readonly message: string;
}

/** What loading found, whether or not it succeeded. */
export interface BootstrapReport {
  readonly file: string;
  /** Why the bootstrap cannot run; empty when `ok`. */
  readonly problems: readonly BootstrapNote[];
  /** Fields that have no effect here, each listed once. */
  readonly ignored: readonly BootstrapNote[];
  /** Accepted, but probably not what was meant. */
  readonly warnings: readonly BootstrapNote[];
}

/** The outcome of {@linkcode loadBootstrapText} / {@linkcode loadBootstrap}. */
export type BootstrapResult =
  & BootstrapReport
  & ({ readonly ok: true; readonly config: CompiledBootstrap } | { readonly ok: false });

/** Options of {@linkcode loadBootstrapText}. */
export interface LoadOptions extends CompileOptions {
  /** The file name shown in notes; `.json` selects JSON syntax. @default "bootstrap.yaml" */
  readonly file?: string;
}

function notes(file: string, list: readonly PathNote[]): BootstrapNote[] {
  return list.map((n) => ({ file, path: n.path, message: n.message }));
}

/**
 * Loads and compiles bootstrap text. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBootstrapText } from "./load.ts";
 * const r = loadBootstrapText("static_resources: {clusters: {name: c, bogus: 1}}");
 * assert.equal(r.ok, false);
 * assert.equal(r.problems[0].path, "static_resources.clusters.bogus");
 * ```
 */
export function loadBootstrapText(text: string, options: LoadOptions = {}): BootstrapResult {
  const file = options.file ?? "bootstrap.yaml";
  const fail = (path: string, message: string): BootstrapResult => ({
    ok: false,
    file,
    problems: [{ file, path, message }],
    ignored: [],
    warnings: [],
  });
  const parsed = parseBootstrapText(text, file);
  if (!parsed.ok) return fail("", parsed.message);
  const warnings = parsed.warnings.map((message) => ({ file, path: "", message }));
  const decoded = decodeJson(BOOTSTRAP, parsed.json ?? {}, { singleAsList: true });
  if (!decoded.ok) {
    return { ok: false, file, problems: notes(file, decoded.problems), ignored: [], warnings };
  }
  const type = lookupType(BOOTSTRAP);
  if (!type) return fail("", `Cannot find ${BOOTSTRAP} in the bundled protos`);
  const norm = new Normalizer();
  const tree = norm.message(type, parsed.json ?? {}, "") as Plain;
  const ctx = new CompileContext(norm.paths, norm.problems);
  const config = compileBootstrap(ctx, tree ?? {}, options);
  const report: BootstrapReport = {
    file,
    problems: notes(file, [...norm.problems, ...ctx.problems]),
    ignored: notes(file, [...norm.ignored, ...ctx.ignored]),
    warnings: [...warnings, ...notes(file, ctx.warnings)],
  };
  return report.problems.length > 0 ? { ok: false, ...report } : { ok: true, config, ...report };
}

/** Reads `file` and loads it with {@linkcode loadBootstrapText}. Never throws. */
export async function loadBootstrap(
  file: string,
  options: CompileOptions = {},
): Promise<BootstrapResult> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    const message = `Cannot read the bootstrap: ${(e as Error).message}`;
    return { ok: false, file, problems: [{ file, path: "", message }], ignored: [], warnings: [] };
  }
  return loadBootstrapText(text, { ...options, file });
}

/** Formats a note as `file: path: message` (no path segment for the whole file). */
export function formatNote(n: BootstrapNote): string {
  return n.path === "" ? `${n.file}: ${n.message}` : `${n.file}: ${n.path}: ${n.message}`;
}
