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
  /**
   * Call this URL instead of the Service (an operator outside the cluster, as envtest does).
   * @default the Service
   */
  readonly url?: string;
  /** Review only MetaRouters in namespaces with these labels. @default every namespace */
  readonly namespaceSelector?: Readonly<Record<string, string>>;
}

/** The `clientConfig` of the webhook: a Service or a URL, and the CA bundle. */
export interface WebhookClientConfig {
  readonly service?: {
    readonly name: string;
    readonly namespace: string;
    readonly path: string;
    readonly port: number;
  };
  readonly url?: string;
  readonly caBundle: string;
}

function clientConfig(options: WebhookConfigurationOptions): WebhookClientConfig {
  const caBundle = btoa(options.caCert);
  if (options.url !== undefined) return { url: options.url, caBundle };
  const service = {
    name: options.serviceName ?? "aeraki",
    namespace: options.namespace,
    path: "/validate",
    port: options.servicePort ?? 443,
  };
  return { service, caBundle };
}

/**
 * Reads a `key=value,...` label selector (the `--webhook-namespace-selector` flag) into
 * `matchLabels`; a problem names the bad part.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatchLabels } from "./configuration.ts";
 * assert.deepEqual(parseMatchLabels("team=a, env=test"), { team: "a", env: "test" });
 * assert.deepEqual(parseMatchLabels("team"), { problem: `Write "team" as key=value` });
 * ```
 */
export function parseMatchLabels(
  text: string,
): Record<string, string> | { readonly problem: string } {
  const labels: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^([A-Za-z0-9./_-]+)=([A-Za-z0-9._-]*)$/.exec(part);
    if (!m) return { problem: `Write "${part}" as key=value` };
    labels[m[1]] = m[2];
  }
  return labels;
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
      clientConfig: clientConfig(options),
      ...(options.namespaceSelector === undefined
        ? {}
        : { namespaceSelector: { matchLabels: { ...options.namespaceSelector } } }),
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
