/**
 * `operator/leader/`: leader election over a `coordination.k8s.io/v1` Lease, so that of several
 * operator replicas only one writes (control-plane spec §6). {@linkcode LeaderElector} exposes
 * whether this replica leads and runs an effect only while it does; {@linkcode LeaseStore} is
 * where the lease lives (the API server through the kube client, or memory in tests).
 *
 * May import `operator/kube/` and npm packages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LEADER_LEASE_NAME } from "./mod.ts";
 * assert.equal(LEADER_LEASE_NAME, "aeraki-envoyfilter-controller-election");
 * ```
 *
 * @module
 */
export * from "./elector.ts";
export * from "./lease_store.ts";
export * from "./leadership.ts";
