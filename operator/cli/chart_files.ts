/**
 * Chart files on disk: finding them (files, or folders walked for `*.ts`), type-checking them
 * with `deno check` (Deno's own diagnostics, "did you mean" included), and loading their chart
 * functions: the exported functions declared as `(scope: Construct): Chart` (any other
 * parameter optional), as `deno doc` reads the declarations. Helpers that take a chart, or
 * return anything else, are left alone.
 *
 * @module
 */
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChartSource } from "./synth_chart.ts";
import type { CommandIo } from "./command.ts";

/** Files found for the paths given, and the paths that could not be read. */
export interface FoundFiles {
  /** Absolute paths, sorted within each folder. */
  readonly files: readonly string[];
  readonly problems: readonly string[];
}

const SKIPPED_DIRS = new Set(["node_modules", "dist"]);

function isChartFile(name: string): boolean {
  return name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith("_test.ts") &&
    !name.startsWith("_");
}

/** Finds chart files: a file as given, a folder walked (skipping `_x.ts`, tests, node_modules). */
export async function findChartFiles(paths: readonly string[]): Promise<FoundFiles> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const given of paths) {
    const path = resolve(given);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (e) {
      problems.push(`Cannot read "${given}": ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (info.isFile) files.push(path);
    else await walk(path, files);
  }
  const seen = new Set<string>();
  return { files: files.filter((f) => !seen.has(f) && seen.add(f)), problems };
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const path = `${dir}/${e.name}`;
    if (e.isDirectory && !SKIPPED_DIRS.has(e.name)) await walk(path, out);
    else if (e.isFile && isChartFile(e.name)) out.push(path);
  }
}

/** A path as shown in messages: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const rel = relative(Deno.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/**
 * Type-checks `files` with `deno check`, copying its diagnostics to `io.err`; resolves to
 * whether they passed. The check uses the configuration of the working folder, as the run does.
 */
export async function typeCheck(files: readonly string[], io: CommandIo): Promise<boolean> {
  if (files.length === 0) return true;
  const { ok, text } = await denoRun(["check", "--quiet", ...files]);
  if (!ok) io.err(text.endsWith("\n") ? text : text + "\n");
  return ok;
}

/** Runs a `deno` subcommand; resolves to its success and its combined output. */
async function denoRun(args: readonly string[]): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
  }).output();
  const dec = new TextDecoder();
  return { ok: out.success, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

interface DocType {
  readonly kind?: string;
  readonly value?: { readonly typeName?: string };
}

interface DocFunction {
  readonly params?: ReadonlyArray<
    { readonly kind?: string; readonly optional?: boolean; readonly tsType?: DocType }
  >;
  readonly returnType?: DocType;
}

interface DocSymbol {
  readonly name: string;
  readonly declarations: ReadonlyArray<{
    readonly declarationKind?: string;
    readonly kind?: string;
    readonly def?: DocFunction;
  }>;
}

function typeName(type: DocType | undefined): string {
  return type?.kind === "typeRef" ? type.value?.typeName ?? "" : "";
}

/**
 * Whether a declaration is a chart function: it returns a `Chart` (or a `…Chart` subclass),
 * its first parameter is a scope (`Construct`, `IConstruct` or `App`) and no other parameter
 * is required.
 */
function isChartFunction(def: DocFunction | undefined): boolean {
  if (!/(^|\.)[A-Za-z0-9_$]*Chart$/.test(typeName(def?.returnType))) return false;
  const [scope, ...rest] = def?.params ?? [];
  if (!scope || !/(^|\.)(Construct|IConstruct|App)$/.test(typeName(scope.tsType))) return false;
  return rest.every((p) => p.kind === "assign" || p.kind === "rest" || p.optional);
}

/**
 * The names of the chart functions each file exports, read from the declarations with
 * `deno doc --json`; a string when `deno doc` failed (its output).
 */
export async function chartFunctionNames(
  files: readonly string[],
): Promise<Map<string, string[]> | string> {
  const names = new Map<string, string[]>(files.map((f) => [f, []]));
  if (files.length === 0) return names;
  const doc = await denoRun(["doc", "--json", ...files]);
  if (!doc.ok) return doc.text;
  const nodes = (JSON.parse(doc.text) as { nodes: Record<string, { symbols?: DocSymbol[] }> })
    .nodes;
  for (const file of files) {
    const symbols = nodes[pathToFileURL(file).href]?.symbols ?? [];
    names.set(
      file,
      symbols.filter((s) =>
        s.declarations.some((d) =>
          d.declarationKind === "export" && d.kind === "function" && isChartFunction(d.def)
        )
      ).map((s) => s.name).sort(),
    );
  }
  return names;
}

/** The chart functions a file exports, or why none could be loaded. */
export type LoadedCharts =
  | { readonly ok: true; readonly charts: readonly ChartSource[] }
  | { readonly ok: false; readonly problem: string };

/** Imports `file` and returns its chart functions named `names`. */
export async function loadChartFile(
  file: string,
  names: readonly string[],
): Promise<LoadedCharts> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (e) {
    return {
      ok: false,
      problem: `Fix the chart file: loading it threw ${e instanceof Error ? e.message : e}`,
    };
  }
  const charts: ChartSource[] = [];
  for (const name of names) {
    const build = module[name];
    if (typeof build !== "function") continue;
    charts.push({ build: build as ChartSource["build"], origin: `${displayPath(file)}: ${name}` });
  }
  return { ok: true, charts };
}
