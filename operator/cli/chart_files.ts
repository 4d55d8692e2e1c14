/**
 * Chart files on disk: finding them (files, or folders walked for `*.ts`), type-checking them
 * with `deno check` (Deno's own diagnostics, "did you mean" included), and loading their chart
 * functions: every exported function of one parameter is called with a fresh App, and those
 * that return a Chart are charts.
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
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", ...files],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) io.err(text.endsWith("\n") ? text : text + "\n");
  return out.success;
}

/** The chart functions a file exports, or why none could be loaded. */
export type LoadedCharts =
  | { readonly ok: true; readonly charts: readonly ChartSource[] }
  | { readonly ok: false; readonly problem: string };

/** Imports `file` and returns its chart functions (see the module doc for which those are). */
export async function loadChartFile(file: string): Promise<LoadedCharts> {
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
  for (const [name, value] of Object.entries(module).sort(([a], [b]) => a < b ? -1 : 1)) {
    if (typeof value !== "function" || value.length !== 1 || isClass(value)) continue;
    const origin = `${displayPath(file)}: ${name}`;
    charts.push({ build: value as ChartSource["build"], origin, discovered: true });
  }
  return { ok: true, charts };
}

function isClass(fn: unknown): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn));
}
