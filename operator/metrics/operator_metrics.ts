/**
 * The operator's metrics as an Effect service: what the controller records (reconciles and
 * their duration, writes, generation problems, pending changes, watch restarts) and the
 * leader state the elector sets, all in one {@linkcode Registry} that `/metrics` renders.
 *
 * @module
 */
import { Context, Effect, Layer, Option } from "effect";
import { type Counter, type Gauge, type Histogram, Registry } from "./registry.ts";

/** What the operator records; each field is one Prometheus metric. */
export interface OperatorMetricsShape {
  /** The registry `/metrics` renders. */
  readonly registry: Registry;
  /** `aeraki_reconciles_total{result}`: `success`, `failure` (a write failed) or `error`. */
  readonly reconciles: Counter;
  /** `aeraki_reconcile_duration_seconds`: generation, plan and writes of one reconcile. */
  readonly reconcileDuration: Histogram;
  /**
   * `aeraki_kube_writes_total{operation,result}`: operation `apply`, `prune`, `status` or
   * `event`; result `success` or `failure`.
   */
  readonly writes: Counter;
  /** `aeraki_generate_problems{severity}`: problems of the last reconcile (`error`, `warning`). */
  readonly problems: Gauge;
  /** `aeraki_services_kept_last_good`: services keeping their last good EnvoyFilters. */
  readonly kept: Gauge;
  /** `aeraki_pending_changes`: input changes waiting for the next reconcile. */
  readonly pendingChanges: Gauge;
  /** `aeraki_watch_restarts_total{kind}`: watches restarted after an error. */
  readonly watchRestarts: Counter;
  /** `aeraki_leader`: 1 while this replica may write, else 0. */
  readonly leader: Gauge;
}

/** Builds the operator's metrics in a fresh registry. */
export function makeOperatorMetrics(registry: Registry = new Registry()): OperatorMetricsShape {
  return {
    registry,
    reconciles: registry.counter("aeraki_reconciles_total", {
      help: "Reconciles of the EnvoyFilter controller, by result.",
      labels: ["result"],
    }),
    reconcileDuration: registry.histogram("aeraki_reconcile_duration_seconds", {
      help: "Time of one reconcile: generation, plan and writes.",
    }),
    writes: registry.counter("aeraki_kube_writes_total", {
      help: "Write requests to the Kubernetes API, by operation and result.",
      labels: ["operation", "result"],
    }),
    problems: registry.gauge("aeraki_generate_problems", {
      help: "Problems of the inputs found by the last reconcile, by severity.",
      labels: ["severity"],
    }),
    kept: registry.gauge("aeraki_services_kept_last_good", {
      help: "Services keeping their last good EnvoyFilters because an input has a problem.",
    }),
    pendingChanges: registry.gauge("aeraki_pending_changes", {
      help: "Input changes waiting for the next reconcile (the debounce queue).",
    }),
    watchRestarts: registry.counter("aeraki_watch_restarts_total", {
      help: "Watches restarted after an error, by kind.",
      labels: ["kind"],
    }),
    leader: registry.gauge("aeraki_leader", {
      help: "1 while this replica is the leader that writes, else 0.",
    }),
  };
}

/** The operator's metrics; the controller records into it when it is provided. */
export class OperatorMetrics extends Context.Service<OperatorMetrics, OperatorMetricsShape>()(
  "aeraki/metrics/OperatorMetrics",
) {}

/** A fresh set of metrics (one per process). */
export const OperatorMetricsLive: Layer.Layer<OperatorMetrics> = Layer.sync(
  OperatorMetrics,
  () => makeOperatorMetrics(),
);

/**
 * The provided metrics, or a private set nobody renders: code that records needs no layer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Effect } from "effect";
 * import { currentMetrics, OperatorMetrics, OperatorMetricsLive } from "./operator_metrics.ts";
 * const value = Effect.runSync(Effect.gen(function* () {
 *   const m = yield* currentMetrics;
 *   m.leader.set(1);
 *   return (yield* OperatorMetrics).leader.value();
 * }).pipe(Effect.provide(OperatorMetricsLive)));
 * assert.equal(value, 1);
 * ```
 */
export const currentMetrics: Effect.Effect<OperatorMetricsShape> = Effect.map(
  Effect.serviceOption(OperatorMetrics),
  (m) => Option.getOrElse(m, () => makeOperatorMetrics()),
);

/** Sets the leader gauge: `true` while this replica holds the lease and writes. */
export function setLeader(leading: boolean): Effect.Effect<void> {
  return Effect.map(currentMetrics, (m) => m.leader.set(leading ? 1 : 0));
}
