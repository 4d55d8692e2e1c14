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
import {
  decodeObject,
  formatProblem,
  knownKind,
  type KnownObject,
  metaProtocolPortProblems,
  type Problem,
} from "../../api/mod.ts";

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

/** A synthesized object of a kind `api/` reads, decoded, with the construct it came from. */
export interface CheckedObject {
  readonly construct: string;
  readonly value: KnownObject;
}

/** The outcome of rendering one chart. */
export type SynthResult =
  | {
    readonly name: string;
    readonly ok: true;
    readonly yaml: string;
    readonly objects: number;
    readonly warnings: readonly SynthProblem[];
    /** Its objects of kinds `api/` reads, for the checks across charts. */
    readonly checked: readonly CheckedObject[];
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
  const { problems: found, checked } = objectProblems(chart);
  if (found.some((p) => p.severity === "error")) return { name, ok: false, problems: found };
  const yaml = Yaml.stringify(...objects);
  return { name, ok: true, yaml, objects: objects.length, warnings: found, checked };
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
function objectProblems(chart: Chart): { problems: SynthProblem[]; checked: CheckedObject[] } {
  const problems: SynthProblem[] = [];
  const checked: CheckedObject[] = [];
  for (const c of chart.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const json = c.toJson();
    if (!knownKind(json)) continue;
    const construct = c.node.scope && c.node.id === "Resource"
      ? c.node.scope.node.path
      : c.node.path;
    const decoded = decodeObject(json);
    const push = (severity: SynthProblem["severity"]) => (p: Problem) =>
      problems.push({ severity, construct, message: `${json.kind}: ${formatProblem(p)}` });
    if (decoded.ok) checked.push({ construct, value: decoded.value });
    else decoded.problems.forEach(push("error"));
    decoded.warnings.forEach(push("warning"));
  }
  return { problems, checked };
}

/**
 * The checks that need objects of every chart rendered together: a MetaProtocol port must
 * name a protocol with a codec, built in or declared by an ApplicationProtocol in any of the
 * charts (`aeraki validate` and `render` check the same). Returns the problems per chart.
 */
export function crossChartProblems(
  charts: ReadonlyArray<readonly CheckedObject[]>,
): SynthProblem[][] {
  const all = charts.flatMap((objects, chart) => objects.map((o) => ({ chart, o })));
  const out: SynthProblem[][] = charts.map(() => []);
  for (const p of metaProtocolPortProblems(all.map((a) => a.o.value))) {
    const { chart, o } = all[p.at];
    const message = `${o.value.kind}: ${formatProblem({ path: p.path, message: p.message })}`;
    out[chart].push({ severity: "error", construct: o.construct, message });
  }
  return out;
}
