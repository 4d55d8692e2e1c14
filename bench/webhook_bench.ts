/**
 * Admission webhook: the decision for one MetaRouter review (the api/ decoders that
 * `aeraki validate` runs, plus the response), a whole HTTPS round trip through the running
 * server, and minting the certificates (what a start-up or renewal costs).
 *
 * Run: `deno bench --allow-all bench/webhook_bench.ts`
 */
import { Effect, Exit, Scope } from "effect";
import { handleAdmissionRequest, reviewAdmission } from "../operator/webhook/admission.ts";
import { certificateStoreMemory } from "../operator/webhook/certificates.ts";
import { serveWebhook } from "../operator/webhook/server.ts";
import { issueCertificate } from "../operator/webhook/x509.ts";
import { fixtureMetaRouters, reviewOf } from "../operator/webhook/_fixtures_testing.ts";

const valid = reviewOf(fixtureMetaRouters("valid/metarouters.yaml")[0].object);
const invalid = reviewOf(fixtureMetaRouters("invalid/metarouter_webhook.yaml")[6].object);
const body = JSON.stringify(valid);

Deno.bench("reviewAdmission() of a valid MetaRouter", { group: "decide", baseline: true }, () => {
  reviewAdmission(valid);
});
Deno.bench("reviewAdmission() of an invalid MetaRouter", { group: "decide" }, () => {
  reviewAdmission(invalid);
});
Deno.bench(
  "handleAdmissionRequest() (JSON in, JSON out, no network)",
  { group: "decide" },
  async () => {
    const response = await handleAdmissionRequest(
      new Request("https://w/validate", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }),
    );
    await response.arrayBuffer();
  },
);

const scope = Effect.runSync(Scope.make());
const store = certificateStoreMemory();
const server = await Effect.runPromise(
  serveWebhook({ port: 0, hostname: "127.0.0.1", certificates: { dnsNames: ["localhost"] } }).pipe(
    Effect.provide(store.layer),
    Scope.provide(scope),
  ),
);
const client = Deno.createHttpClient({ caCerts: [store.current()!.ca.cert] });
Deno.bench("POST /validate over HTTPS (kept-alive connection)", { group: "https" }, async () => {
  const response = await fetch(`https://localhost:${server.port}/validate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    client,
  });
  await response.arrayBuffer();
});

const now = new Date();
const later = new Date(now.getTime() + 365 * 86_400_000);
const ca = issueCertificate({ commonName: "ca", isCa: true, notBefore: now, notAfter: later });
Deno.bench("issueCertificate() server certificate with a new P-256 key", { group: "certs" }, () => {
  issueCertificate({ commonName: "s", dnsNames: ["aeraki"], notBefore: now, notAfter: later }, {
    issuer: ca,
  });
});

globalThis.addEventListener("unload", () => {
  client.close();
  Effect.runFork(Scope.close(scope, Exit.void));
});
