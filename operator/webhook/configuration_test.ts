import assert from "node:assert/strict";
import { OPERATOR_NAME } from "../../constructs/install.ts";
import { buildWebhookConfiguration } from "./configuration.ts";

Deno.test("buildWebhookConfiguration() sends MetaRouter writes to the operator Service with the CA", () => {
  const config = buildWebhookConfiguration({
    namespace: "mesh",
    caCert: "-----BEGIN CERTIFICATE-----\nAA\n",
  });
  assert.equal(config.metadata.name, "aeraki-mesh");
  const [hook] = config.webhooks;
  assert.equal(hook.name, "validation.aeraki.io");
  assert.deepEqual(hook.clientConfig.service, {
    name: OPERATOR_NAME,
    namespace: "mesh",
    path: "/validate",
    port: 443,
  });
  assert.equal(atob(hook.clientConfig.caBundle), "-----BEGIN CERTIFICATE-----\nAA\n");
  assert.deepEqual(hook.rules[0].operations, ["CREATE", "UPDATE"]);
  assert.deepEqual(hook.rules[0].resources, ["metarouters"]);
  assert.equal(hook.failurePolicy, "Fail");
  assert.equal(hook.sideEffects, "None");
  assert.deepEqual(hook.admissionReviewVersions, ["v1", "v1beta1"]);
});

Deno.test("buildWebhookConfiguration() calls a URL and limits the namespaces when asked", () => {
  const config = buildWebhookConfiguration({
    namespace: "mesh",
    caCert: "PEM",
    url: "https://127.0.0.1:9443/validate",
    namespaceSelector: { "kubernetes.io/metadata.name": "team-a" },
  });
  const [hook] = config.webhooks;
  assert.deepEqual(hook.clientConfig, {
    url: "https://127.0.0.1:9443/validate",
    caBundle: btoa("PEM"),
  });
  assert.deepEqual(hook.namespaceSelector, {
    matchLabels: { "kubernetes.io/metadata.name": "team-a" },
  });
  assert.equal(
    "namespaceSelector" in buildWebhookConfiguration({ namespace: "m", caCert: "P" }).webhooks[0],
    false,
  );
});
