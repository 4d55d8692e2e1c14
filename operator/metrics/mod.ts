/**
 * `operator/metrics/`: the operator's Prometheus metrics — a plain TypeScript registry
 * (counters, gauges, histograms, text exposition format) and the {@linkcode OperatorMetrics}
 * service the controller records into and `/metrics` renders.
 *
 * Imports npm packages only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeOperatorMetrics } from "./mod.ts";
 * const m = makeOperatorMetrics();
 * m.reconciles.inc({ result: "success" });
 * assert.match(m.registry.render(), /^aeraki_reconciles_total\{result="success"\} 1$/m);
 * ```
 *
 * @module
 */
export * from "./operator_metrics.ts";
export * from "./registry.ts";
