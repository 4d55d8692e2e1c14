/**
 * Renders one chart function to deterministic multi-document YAML, checking it like a
 * compiler: every construct's own validation, then every `api/` check of the synthesized
 * objects (problems and warnings, such as routes that can never match). Each problem is
 * reported once, with the construct path and the field. Errors are returned, never thrown, so
 * one bad chart does not hide the others.
 *
 * @module
 */
import { ApiObject, App, Chart, Yaml } from "cdk8s";
import type { Construct } from "constructs";
import { decodeObject, formatProblem, knownKind, type Problem } from "../../api/mod.ts";

/** One chart function to render. */
export interface ChartSource {
  /** Output file stem: `<out>/<name>.yaml`; by default the chart's construct id. */
  readonly name?: string;
  /** Builds the chart in `scope` (a fresh App). */
  readonly build: (scope: Construct) => Chart;
  /** Where the function comes from, for messages: `charts/mesh.ts: thriftSplit`. */
  readonly origin?: string;
}

/** One thing wrong (`error`) or suspicious (`warning`) in a chart. */
export interface SynthProblem {
  readonly severity: "error" | "warning";
  /** The construct path, e.g. `thrift-split/router`; empty when the chart did not build. */
  readonly construct: string;
  /** Action first; names the field as `spec.routes[0].route: …` where there is one. */
  readonly message: string;
}

/** The outcome of rendering one chart. */
export type SynthResult =
  | {
    readonly name: string;
    readonly ok: true;
    readonly yaml: string;
    readonly objects: number;
    readonly warnings: readonly SynthProblem[];
  }
  | { readonly name: string; readonly ok: false; readonly problems: readonly SynthProblem[] };

/** Renders a problem as `construct: message` (or `warning: …`). */
export function formatSynthProblem(problem: SynthProblem): string {
  const where = problem.construct ? `${problem.construct}: ` : "";
  const level = problem.severity === "warning" ? "warning: " : "";
  return `${where}${level}${problem.message}`;
}

/** Renders one chart to YAML after every check; never throws. */
export function synthChart(source: ChartSource): SynthResult {
  const fallback = source.name ?? source.origin ?? "chart";
  let chart: Chart;
  try {
    chart = source.build(new App({ outdir: "dist" }));
  } catch (e) {
    return failed(fallback, "", `Fix the chart function: it threw ${describeError(e)}`);
  }
  if (!Chart.isChart(chart)) {
    return failed(fallback, "", "Return the Chart from the chart function: it returned no Chart");
  }
  const name = source.name ?? chart.node.id;
  const problems = constructProblems(chart);
  if (problems.length) return { name, ok: false, problems };
  let objects: unknown[];
  try {
    objects = chart.toJson();
  } catch (e) {
    return failed(name, chart.node.path, `Fix the chart: synthesis threw ${describeError(e)}`);
  }
  const checked = objectProblems(chart);
  const errors = checked.filter((p) => p.severity === "error");
  if (errors.length) return { name, ok: false, problems: checked };
  const yaml = Yaml.stringify(...objects);
  return { name, ok: true, yaml, objects: objects.length, warnings: checked };
}

function failed(name: string, construct: string, message: string): SynthResult {
  return { name, ok: false, problems: [{ severity: "error", construct, message }] };
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : `"${String(e)}"`;
}

/** Every construct's own validation (what cdk8s would throw), one problem per message. */
function constructProblems(chart: Chart): SynthProblem[] {
  const out: SynthProblem[] = [];
  for (const c of chart.node.findAll()) {
    for (const message of c.node.validate()) {
      out.push({ severity: "error", construct: c.node.path, message });
    }
  }
  return out;
}

/**
 * The `api/` checks of every synthesized object of a kind Aeraki reads. Runs only after every
 * construct validated, and our kinds' constructs validate with these same schemas, so an
 * error here is news (an Istio object or a Service the schemas of `api/` reject), never a
 * repeat; warnings are reported only here.
 */
function objectProblems(chart: Chart): SynthProblem[] {
  const out: SynthProblem[] = [];
  for (const c of chart.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const json = c.toJson();
    if (!knownKind(json)) continue;
    const construct = c.node.scope && c.node.id === "Resource"
      ? c.node.scope.node.path
      : c.node.path;
    const decoded = decodeObject(json);
    const push = (severity: SynthProblem["severity"]) => (p: Problem) =>
      out.push({ severity, construct, message: `${json.kind}: ${formatProblem(p)}` });
    if (!decoded.ok) decoded.problems.forEach(push("error"));
    decoded.warnings.forEach(push("warning"));
  }
  return out;
}
