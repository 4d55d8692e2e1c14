/**
 * `operator/controller/`: the EnvoyFilter controller (spec §6, STYLE.md A4). Watchers feed a
 * store, changes are debounced (100 ms quiet, 1 s at most), the pure generator runs, and the
 * difference from the API server is written with server-side apply or pruned; a service whose
 * inputs have a problem keeps its last good EnvoyFilters. Aeraki's objects get `Accepted` and
 * `Programmed` status conditions and Kubernetes Events on their transitions.
 *
 * May import `api/`, `operator/generate/`, `operator/kube/`, `operator/metrics/` and npm
 * packages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planWrites } from "./mod.ts";
 * assert.deepEqual(planWrites([], []), { apply: [], prune: [] });
 * ```
 *
 * @module
 */
export * from "./conditions.ts";
export * from "./controller.ts";
export * from "./debounce.ts";
export * from "./events.ts";
export * from "./inputs.ts";
export * from "./namespace_controller.ts";
export * from "./plan.ts";
export * from "./sources.ts";
export * from "./status.ts";
export * from "./vip_controller.ts";
export * from "./write.ts";
