/**
 * A small Prometheus registry in plain TypeScript: counters, gauges and histograms with
 * labels, rendered in the text exposition format (version 0.0.4) that Prometheus scrapes.
 * Synchronous and allocation-light, so recording costs next to nothing on the paths it
 * counts.
 *
 * @module
 */

/** Label values of one series, by label name. */
export type Labels = Readonly<Record<string, string>>;

/** Help text and label names of a metric. */
export interface MetricOptions {
  /** The `# HELP` line. */
  readonly help: string;
  /** The label names every series of the metric carries. @default none */
  readonly labels?: readonly string[];
}

/** Options of a histogram: its bucket upper bounds besides `+Inf`. */
export interface HistogramOptions extends MetricOptions {
  /** Ascending upper bounds. @default 5 ms to 10 s */
  readonly buckets?: readonly number[];
}

interface Metric {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly help: string;
  render(lines: string[]): void;
}

/** A value that only goes up (resets with the process). */
export class Counter {
  readonly #series: Series<number>;

  /** A counter; register it with {@linkcode Registry.counter}. */
  constructor(readonly name: string, labelNames: readonly string[]) {
    this.#series = new Series(name, labelNames, () => 0);
  }

  /** Adds `by` (default 1, never negative) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) return;
    const s = this.#series.at(labels);
    s.value += by;
  }

  /** The current value of a series (0 when never counted). */
  value(labels: Labels = {}): number {
    return this.#series.peek(labels) ?? 0;
  }

  /** @internal */
  render(lines: string[]): void {
    for (const [key, v] of this.#series.entries()) lines.push(`${this.name}${key} ${num(v)}`);
  }
}

/** A value that goes up and down. */
export class Gauge {
  readonly #series: Series<number>;

  /** A gauge; register it with {@linkcode Registry.gauge}. */
  constructor(readonly name: string, labelNames: readonly string[]) {
    this.#series = new Series(name, labelNames, () => 0);
  }

  /** Sets the series of `labels` to `value`. */
  set(value: number, labels: Labels = {}): void {
    this.#series.at(labels).value = value;
  }

  /** Adds `by` (may be negative) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    this.#series.at(labels).value += by;
  }

  /** The current value of a series (0 when never set). */
  value(labels: Labels = {}): number {
    return this.#series.peek(labels) ?? 0;
  }

  /** @internal */
  render(lines: string[]): void {
    for (const [key, v] of this.#series.entries()) lines.push(`${this.name}${key} ${num(v)}`);
  }
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram {
  readonly #series: Series<HistogramState>;

  /** A histogram; register it with {@linkcode Registry.histogram}. */
  constructor(
    readonly name: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    this.#series = new Series(name, labelNames, () => ({
      counts: buckets.map(() => 0),
      sum: 0,
      count: 0,
    }));
  }

  /** Records one observation (a NaN is ignored). */
  observe(value: number, labels: Labels = {}): void {
    if (Number.isNaN(value)) return;
    const s = this.#series.at(labels).value;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  /** How many observations a series holds. */
  count(labels: Labels = {}): number {
    return this.#series.peek(labels)?.count ?? 0;
  }

  /** @internal */
  render(lines: string[]): void {
    for (const [key, s] of this.#series.entries()) {
      const inner = key === "" ? "" : key.slice(1, -1) + ",";
      this.buckets.forEach((le, i) => {
        lines.push(`${this.name}_bucket{${inner}le="${num(le)}"} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket{${inner}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${key} ${num(s.sum)}`);
      lines.push(`${this.name}_count${key} ${s.count}`);
    }
  }
}

/** The series of one metric, keyed by their rendered label set. */
class Series<T> {
  readonly #byKey = new Map<string, { value: T }>();

  constructor(
    readonly metric: string,
    readonly labelNames: readonly string[],
    readonly initial: () => T,
  ) {}

  at(labels: Labels): { value: T } {
    const key = this.key(labels);
    let s = this.#byKey.get(key);
    if (!s) this.#byKey.set(key, s = { value: this.initial() });
    return s;
  }

  peek(labels: Labels): T | undefined {
    return this.#byKey.get(this.key(labels))?.value;
  }

  *entries(): Iterable<[string, T]> {
    for (const key of [...this.#byKey.keys()].sort()) yield [key, this.#byKey.get(key)!.value];
  }

  key(labels: Labels): string {
    if (this.labelNames.length === 0) return "";
    const parts = this.labelNames.map((n) => `${n}="${escapeLabel(labels[n] ?? "")}"`);
    return `{${parts.join(",")}}`;
  }
}

/** Default histogram buckets, in seconds: 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Metrics by name, rendered together for `/metrics`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "./registry.ts";
 * const registry = new Registry();
 * const writes = registry.counter("demo_writes_total", { help: "Writes.", labels: ["result"] });
 * writes.inc({ result: "success" });
 * assert.equal(
 *   registry.render(),
 *   '# HELP demo_writes_total Writes.\n# TYPE demo_writes_total counter\n' +
 *     'demo_writes_total{result="success"} 1\n',
 * );
 * ```
 */
export class Registry {
  readonly #metrics = new Map<string, Metric>();

  /** Registers a counter (names end in `_total` by convention). */
  counter(name: string, options: MetricOptions): Counter {
    const c = new Counter(name, this.#labels(name, options));
    this.#add(name, "counter", options.help, c);
    return c;
  }

  /** Registers a gauge. */
  gauge(name: string, options: MetricOptions): Gauge {
    const g = new Gauge(name, this.#labels(name, options));
    this.#add(name, "gauge", options.help, g);
    return g;
  }

  /** Registers a histogram. */
  histogram(name: string, options: HistogramOptions): Histogram {
    const buckets = [...(options.buckets ?? DEFAULT_BUCKETS)];
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) {
      throw new Error(`Give histogram "${name}" ascending buckets: got ${buckets.join(", ")}`);
    }
    const h = new Histogram(name, this.#labels(name, options), buckets);
    this.#add(name, "histogram", options.help, h);
    return h;
  }

  /** Every metric in the text exposition format, sorted by name. */
  render(): string {
    const lines: string[] = [];
    for (const name of [...this.#metrics.keys()].sort()) {
      const m = this.#metrics.get(name)!;
      lines.push(`# HELP ${name} ${escapeHelp(m.help)}`, `# TYPE ${name} ${m.type}`);
      m.render(lines);
    }
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }

  #labels(name: string, options: MetricOptions): readonly string[] {
    for (const l of options.labels ?? []) {
      if (!LABEL.test(l) || l === "le") {
        throw new Error(`Rename label "${l}" of metric "${name}": not a Prometheus label name`);
      }
    }
    return options.labels ?? [];
  }

  #add(name: string, type: Metric["type"], help: string, m: { render(l: string[]): void }) {
    if (!NAME.test(name)) {
      throw new Error(`Rename metric "${name}": not a Prometheus metric name`);
    }
    if (this.#metrics.has(name)) throw new Error(`Register metric "${name}" once: it exists`);
    this.#metrics.set(name, { name, type, help, render: (l) => m.render(l) });
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
