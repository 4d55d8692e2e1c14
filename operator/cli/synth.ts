/**
 * `aeraki synth PATH…`: renders chart files, or folders of them, anywhere on disk to
 * `<out>/<chart>.yaml`, checking them like a compiler first: `deno check` of the files (Deno's
 * own diagnostics), then every construct's validation and every `api/` check of the objects,
 * each problem printed once with the file, the chart function, the construct path and the
 * field. Exits 1 when any chart has an error, 2 on bad arguments.
 *
 * @module
 */
import type { Command, CommandIo } from "./command.ts";
import {
  chartFunctionNames,
  displayPath,
  findChartFiles,
  loadChartFile,
  typeCheck,
} from "./chart_files.ts";
import {
  type ChartSource,
  crossChartProblems,
  formatSynthProblem,
  synthChart,
} from "./synth_chart.ts";

const USAGE = `Usage: deno task aeraki synth [--out DIR] [--no-check] PATH…

Renders chart files, or folders of them, to DIR/<chart>.yaml (default dist/). A chart file
exports chart functions: functions declared to take a scope (Construct) and return a Chart.
Each is called with a fresh cdk8s App and its chart written to DIR/<chart id>.yaml:

  export function thriftSplit(scope: Construct): Chart { … }

Other exports (helpers that take a chart, constants) are left alone.

Folders are searched for *.ts files, skipping *_test.ts, _*.ts and node_modules/.

Before running anything, the files are type-checked with \`deno check\` (with the deno.json of
the working folder, as the run uses it). Then every construct's checks and every check of the
validation webhook run on the synthesized objects; warnings (a route that can never match) are
printed but do not fail.

Options:
  --out DIR     where to write the YAML (default: dist)
  --no-check    skip the type check
  -h, --help    show this help
`;

/** What {@link renderCharts} writes and prints. */
export interface RenderOptions {
  /** The output folder. */
  readonly out: string;
  /** Where progress and problems go. */
  readonly io: CommandIo;
}

/**
 * Renders charts to `<out>/<name>.yaml`, one line per chart, warnings and problems each once;
 * resolves to the number of charts that failed.
 */
export async function renderCharts(
  sources: readonly ChartSource[],
  options: RenderOptions,
): Promise<{ readonly failed: number; readonly written: number }> {
  const { out, io } = options;
  await Deno.mkdir(out, { recursive: true });
  const owners = new Map<string, string>();
  let failed = 0, written = 0;
  const results = sources.map(synthChart);
  const across = crossChartProblems(results.map((r) => r.ok ? r.checked : []));
  for (const [i, source] of sources.entries()) {
    const result = results[i];
    const from = source.origin ? `${source.origin}: ` : "";
    const problems = result.ok ? across[i] : result.problems;
    if (problems.length) {
      failed++;
      io.err(`✗ ${result.name}:\n`);
      for (const p of problems) io.err(`  ${from}${formatSynthProblem(p)}\n`);
      continue;
    }
    if (!result.ok) continue;
    const file = `${out}/${result.name}.yaml`;
    const owner = owners.get(result.name);
    if (owner !== undefined) {
      failed++;
      io.err(
        `✗ ${result.name}:\n  ${from}Rename the chart: "${owner}" writes "${file}" too\n`,
      );
      continue;
    }
    owners.set(result.name, source.origin ?? result.name);
    await Deno.writeTextFile(file, result.yaml);
    written++;
    io.out(`✓ ${result.name.padEnd(16)} ${String(result.objects).padStart(3)} objects → ${file}\n`);
    for (const w of result.warnings) io.err(`  ${from}${formatSynthProblem(w)}\n`);
  }
  return { failed, written };
}

interface SynthArgs {
  readonly out: string;
  readonly check: boolean;
  readonly paths: readonly string[];
}

/** Parses `synth` arguments; a string is the usage problem. */
export function parseSynthArgs(args: readonly string[]): SynthArgs | "help" | string {
  let out = "dist", check = true;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-h" || a === "--help") return "help";
    if (a === "--no-check") check = false;
    else if (a === "--out") {
      if (args[i + 1] === undefined) return `Give --out a folder: "--out dist"`;
      out = args[++i];
    } else if (a.startsWith("--out=")) out = a.slice(6);
    else if (a.startsWith("-")) return `Remove the unknown option "${a}"`;
    else paths.push(a);
  }
  return { out, check, paths };
}

/** Loads the charts of `paths` after type-checking them; `undefined` when that failed. */
export async function loadCharts(
  paths: readonly string[],
  options: { readonly io: CommandIo; readonly check: boolean },
): Promise<ChartSource[] | undefined> {
  const { io } = options;
  const found = await findChartFiles(paths);
  for (const p of found.problems) io.err(`✗ ${p}\n`);
  if (found.problems.length) return undefined;
  if (options.check && !await typeCheck(found.files, io)) {
    io.err(`✗ Fix the type errors above: no chart was run\n`);
    return undefined;
  }
  const names = await chartFunctionNames(found.files);
  if (typeof names === "string") {
    io.err(`${names}\n✗ Fix the chart files: deno doc could not read their declarations\n`);
    return undefined;
  }
  const sources: ChartSource[] = [];
  let broken = false;
  for (const file of found.files) {
    const loaded = await loadChartFile(file, names.get(file) ?? []);
    if (!loaded.ok) {
      io.err(`✗ ${displayPath(file)}: ${loaded.problem}\n`);
      broken = true;
      continue;
    }
    sources.push(...loaded.charts);
  }
  return broken ? undefined : sources;
}

/** `aeraki synth`. */
export const synthCommand: Command = {
  name: "synth",
  summary: "Render chart files or folders (TypeScript) to YAML, type-checked and validated",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseSynthArgs(args);
    if (parsed === "help") {
      io.out(USAGE);
      return 0;
    }
    if (typeof parsed === "string" || parsed.paths.length === 0) {
      io.err(`${typeof parsed === "string" ? parsed : "Give a chart file or folder"}\n\n${USAGE}`);
      return 2;
    }
    const sources = await loadCharts(parsed.paths, { io, check: parsed.check });
    if (!sources) return 1;
    const { failed, written } = await renderCharts(sources, { out: parsed.out, io });
    if (failed === 0 && written === 0) {
      io.err(
        `✗ Export a chart function from ${
          parsed.paths.map((p) => `"${p}"`).join(", ")
        }: a function declared as (scope: Construct): Chart\n`,
      );
      return 1;
    }
    return failed ? 1 : 0;
  },
};
