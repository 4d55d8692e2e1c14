/**
 * Aeraki for Deno: mesh config as TypeScript (cdk8s constructs), the generator that turns
 * Aeraki's CRDs into EnvoyFilters and MetaProtocol routes, and the MetaProtocol codecs.
 *
 * The constructs are exported at the top level (they are what a mesh config imports); the
 * other layers are exported as namespaces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Chart, Testing } from "cdk8s";
 * import { MetaRouterBuilder } from "./mod.ts";
 * const chart = new Chart(Testing.app(), "mesh");
 * new MetaRouterBuilder(chart, "router", { host: "a.default.svc.cluster.local" })
 *   .route("all").to("v1");
 * const [router] = Testing.synth(chart);
 * assert.equal(router.kind, "MetaRouter");
 * assert.equal(router.spec.routes[0].route[0].destination.subset, "v1");
 * ```
 *
 * @module
 */
export * from "./constructs/mod.ts";
export * as api from "./api/mod.ts";
export * as codecs from "./codecs/mod.ts";
