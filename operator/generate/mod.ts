/**
 * `operator/generate/`: pure config generation (control-plane spec §3–§5). From a snapshot of
 * inputs (ServiceEntries, DestinationRules, VirtualServices, Gateways, MetaRouters,
 * ApplicationProtocols, Redis and Dubbo CRs, Secrets, the mesh config) to EnvoyFilters,
 * gateway VirtualServices, MetaProtocol route configurations served over RDS, and problems.
 * No I/O, clock or randomness; both the operator and `deno task synth` call it.
 *
 * May import only `api/` and `proto/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildMesh, EMPTY_SNAPSHOT } from "./mod.ts";
 * const out = buildMesh(EMPTY_SNAPSHOT, { rootNamespace: "istio-system" });
 * assert.equal(out.envoyFilters.length, 0);
 * assert.deepEqual(out.problems, []);
 * ```
 *
 * @module
 */
export * from "./context.ts";
export * from "./dataplane/mod.ts";
export * from "./envelope.ts";
export * from "./export_to.ts";
export * from "./from_objects.ts";
export * from "./gateway.ts";
export * from "./generator.ts";
export * from "./metaprotocol/mod.ts";
export * from "./names.ts";
export * from "./protocols.ts";
export * from "./service_index.ts";
export * from "./sidecar_bootstrap.ts";
export * from "./snapshot.ts";
export * from "./stable_json.ts";
export * from "./versions.ts";
