/**
 * The `ValidatingWebhookConfiguration` the operator creates or updates at start-up (control-plane
 * spec §6): it sends MetaRouter creates and updates to the operator's Service at `/validate`,
 * trusting the webhook CA.
 *
 * @module
 */

/** Name of the webhook inside the configuration (as upstream). */
export const WEBHOOK_NAME = "validation.aeraki.io";

/** Options of {@link buildWebhookConfiguration}. */
export interface WebhookConfigurationOptions {
  /** The operator's namespace (Istio's root namespace). */
  readonly namespace: string;
  /** PEM of the CA that signed the webhook's server certificate. */
  readonly caCert: string;
  /** The operator's Service. @default "aeraki" */
  readonly serviceName?: string;
  /** The Service port that forwards to the webhook. @default 443 */
  readonly servicePort?: number;
}

/**
 * Builds `ValidatingWebhookConfiguration` `aeraki-<namespace>`: CREATE and UPDATE of
 * `metaprotocol.aeraki.io/*` MetaRouters, `failurePolicy: Fail`, `sideEffects: None`,
 * reviews v1 and v1beta1, labelled `manager: Aeraki`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildWebhookConfiguration } from "./configuration.ts";
 * const config = buildWebhookConfiguration({ namespace: "istio-system", caCert: "PEM" });
 * assert.equal(config.metadata.name, "aeraki-istio-system");
 * assert.equal(config.webhooks[0].clientConfig.caBundle, btoa("PEM"));
 * ```
 */
export function buildWebhookConfiguration(options: WebhookConfigurationOptions) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: `aeraki-${options.namespace}`, labels: { manager: "Aeraki" } },
    webhooks: [{
      name: WEBHOOK_NAME,
      clientConfig: {
        service: {
          name: options.serviceName ?? "aeraki",
          namespace: options.namespace,
          path: "/validate",
          port: options.servicePort ?? 443,
        },
        caBundle: btoa(options.caCert),
      },
      rules: [{
        operations: ["CREATE", "UPDATE"],
        apiGroups: ["metaprotocol.aeraki.io"],
        apiVersions: ["*"],
        resources: ["metarouters"],
        scope: "*",
      }],
      failurePolicy: "Fail",
      sideEffects: "None",
      admissionReviewVersions: ["v1", "v1beta1"],
      timeoutSeconds: 10,
    }],
  } as const;
}
