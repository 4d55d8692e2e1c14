/**
 * `operator/webhook/`: the validating admission webhook (control-plane spec §6): HTTPS
 * `AdmissionReview` v1 at `/validate` deciding with the same `api/` checks as
 * `aeraki validate`, its self-signed CA and server certificate (a small X.509 writer over
 * `node:crypto`), kept in a {@link CertificateStore} and renewed before expiry, and the server
 * as an Effect scoped resource.
 *
 * May import `api/` (and, for tests, the CLI's validate command).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reviewAdmission } from "./mod.ts";
 * const answer = reviewAdmission({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
 *   request: { uid: "1", operation: "DELETE" } });
 * assert.equal(answer.allowed, true);
 * ```
 *
 * @module
 */
export * from "./admission.ts";
export * from "./certificates.ts";
export * from "./configuration.ts";
export * from "./secret_store.ts";
export * from "./server.ts";
export * from "./x509.ts";
export * from "./registration.ts";
export * from "./in_cluster.ts";
