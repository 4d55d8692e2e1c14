/**
 * `deno task synth [NAME…]`: renders every example chart and the install chart to
 * `dist/<name>.yaml`, one progress line per chart; exits 1 if any chart is invalid.
 *
 * @module
 */
import "./_quiet_node.ts";
import { installChart } from "../deploy/install.ts";
import { type ExampleChart, EXAMPLES } from "./charts.ts";
import { synthChart } from "./synth.ts";

/** Every chart synth renders: the examples, then the install chart. */
export const ALL_CHARTS: readonly ExampleChart[] = [
  ...EXAMPLES,
  { name: "aeraki-install", build: (scope) => installChart(scope) },
];

async function main(args: readonly string[], outdir = "dist"): Promise<number> {
  const unknown = args.filter((a) => !ALL_CHARTS.some((c) => c.name === a));
  if (unknown.length) {
    console.error(
      `Cannot synth ${unknown.map((u) => `"${u}"`).join(", ")}: unknown chart (known: ${
        ALL_CHARTS.map((c) => c.name).join(", ")
      })`,
    );
    return 2;
  }
  const charts = args.length ? ALL_CHARTS.filter((c) => args.includes(c.name)) : ALL_CHARTS;
  await Deno.mkdir(outdir, { recursive: true });
  let failed = 0;
  for (const chart of charts) {
    const result = synthChart(chart);
    if (result.ok) {
      const file = `${outdir}/${result.name}.yaml`;
      await Deno.writeTextFile(file, result.yaml);
      console.log(
        `✓ ${result.name.padEnd(16)} ${String(result.objects).padStart(3)} objects → ${file}`,
      );
    } else {
      failed++;
      console.error(`✗ ${result.name}: ${result.error}`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
