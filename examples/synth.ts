/**
 * Renders charts to deterministic multi-document YAML: one App per chart, objects in
 * construct order, keys as cdk8s emits them. Errors are returned, never thrown, so one bad
 * chart does not hide the others.
 *
 * @module
 */
import { App, type Chart, Yaml } from "cdk8s";
import type { ExampleChart } from "./charts.ts";

/** The outcome of rendering one chart. */
export type SynthResult =
  | { readonly name: string; readonly ok: true; readonly yaml: string; readonly objects: number }
  | { readonly name: string; readonly ok: false; readonly error: string };

/** Renders one chart to YAML, validating every construct first. */
export function synthChart(example: ExampleChart): SynthResult {
  try {
    const app = new App({ outdir: "dist" });
    const chart: Chart = example.build(app);
    const objects = chart.toJson();
    const yaml = Yaml.stringify(...objects);
    return { name: example.name, ok: true, yaml, objects: objects.length };
  } catch (e) {
    return { name: example.name, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
