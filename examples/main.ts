/**
 * `deno task synth [NAME…|PATH…] [--out DIR]`: renders every example chart and the install
 * chart (or those NAMEs) to `dist/<name>.yaml`, one progress line per chart; a PATH that is no
 * example name is a chart file or folder anywhere on disk, rendered as `aeraki synth PATH`
 * renders it (type-checked first). Exits 1 if any chart is invalid.
 *
 * @module
 */
import { installChart } from "../deploy/install.ts";
import { processIo } from "../operator/cli/command.ts";
import { loadCharts, parseSynthArgs, renderCharts, synthCommand } from "../operator/cli/synth.ts";
import { type ExampleChart, EXAMPLES } from "./charts.ts";

/** Every chart synth renders: the examples, then the install chart. */
export const ALL_CHARTS: readonly ExampleChart[] = [
  ...EXAMPLES,
  { name: "aeraki-install", build: (scope) => installChart(scope) },
];

const HELP = `Usage: deno task synth [--out DIR] [NAME…] [PATH…]

With no arguments, renders every example chart and the install chart to dist/.
NAME renders one of them: ${ALL_CHARTS.map((c) => c.name).join(", ")}.
PATH is a chart file or folder anywhere on disk, rendered as \`deno task aeraki synth\` does:

${synthCommand.usage.split("\n").slice(2).join("\n")}`;

async function main(args: readonly string[]): Promise<number> {
  const io = processIo();
  const parsed = parseSynthArgs(args);
  if (parsed === "help") {
    io.out(HELP);
    return 0;
  }
  if (typeof parsed === "string") {
    io.err(`${parsed}\n\n${HELP}`);
    return 2;
  }
  const names = parsed.paths.filter((a) => ALL_CHARTS.some((c) => c.name === a));
  const paths = parsed.paths.filter((a) => !names.includes(a));
  const unknown = paths.filter((p) => !/[./]/.test(p) && !exists(p));
  if (unknown.length) {
    io.err(
      `Cannot synth ${unknown.map((u) => `"${u}"`).join(", ")}: no such chart or file (charts: ${
        ALL_CHARTS.map((c) => c.name).join(", ")
      })\n`,
    );
    return 2;
  }
  const examples = parsed.paths.length === 0
    ? ALL_CHARTS
    : ALL_CHARTS.filter((c) => names.includes(c.name));
  const loaded = paths.length ? await loadCharts(paths, { io, check: parsed.check }) : [];
  if (!loaded) return 1;
  const { failed } = await renderCharts([...examples, ...loaded], { out: parsed.out, io });
  return failed ? 1 : 0;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
