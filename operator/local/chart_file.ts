/**
 * TypeScript charts in an `aeraki local` folder: a `.ts` file whose default export builds a
 * cdk8s chart in the scope it is given (the shape of `examples/charts.ts`'s `build`), rendered
 * the way `deno task synth` renders, then checked like a YAML file. Each read imports the
 * module again (a new query string) so edits take effect.
 *
 * @module
 */
import { App, type Chart, Yaml } from "cdk8s";
import type { Construct } from "constructs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type FileContents, readYamlText } from "./source_file.ts";

/** Renders the chart file `file`; `generation` changes on every read. Never throws. */
export type ChartLoader = (file: string, generation: number) => Promise<FileContents>;

/** Whether `name` is a chart: a `.ts` file that is not a test or a private helper. */
export function isChartFile(name: string): boolean {
  const base = name.split("/").pop() ?? name;
  return base.endsWith(".ts") && !base.endsWith(".d.ts") && !base.startsWith("_") &&
    !/_test\.ts$/.test(base);
}

function failed(file: string, message: string): FileContents {
  return { file, objects: [], problems: [`${file}: ${message}`], warnings: [] };
}

/** Imports `file` and renders its default export with cdk8s; problems name the file. */
export async function synthChartFile(file: string, generation: number): Promise<FileContents> {
  let build: unknown;
  try {
    const url = `${pathToFileURL(resolve(file)).href}?v=${generation}`;
    build = (await import(url)).default;
  } catch (e) {
    return failed(file, `Fix the chart module: ${e instanceof Error ? e.message : e}`);
  }
  if (typeof build !== "function") {
    return failed(
      file,
      "Export a chart builder as the default export: `export default (scope) => new Chart(scope, …)`",
    );
  }
  let yaml: string;
  try {
    const chart = (build as (scope: Construct) => Chart)(new App({ outdir: "dist" }));
    yaml = Yaml.stringify(...chart.toJson());
  } catch (e) {
    return failed(file, `Fix the chart: ${e instanceof Error ? e.message : e}`);
  }
  return readYamlText(file, yaml);
}
