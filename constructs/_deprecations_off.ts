/**
 * Silences Node deprecation warnings while the Istio schema validators load; imported by
 * `_istio_models.ts` just before them, with `_deprecations_restore.ts` just after.
 *
 * Why: `@kubernetes-models/istio` validates with ajv-formats-draft2019, whose CommonJS code
 * requires Node's deprecated built-in `punycode` when it loads. That warning is not ours to
 * fix and would be printed on every run of every chart, so it is muted for exactly that load
 * and the previous setting is put back.
 *
 * @module
 */
import process from "node:process";

const state = process as { noDeprecation?: boolean };
(globalThis as Record<symbol, unknown>)[Symbol.for("aeraki.noDeprecation")] = state.noDeprecation;
state.noDeprecation = true;
