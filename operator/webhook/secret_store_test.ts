import assert from "node:assert/strict";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { CertificateStore, ensureCertificates } from "./certificates.ts";
import { certificateStoreSecret, type SecretApi, type SecretObject } from "./secret_store.ts";

/** A Secret API with the API server's optimistic concurrency: a stale resourceVersion is a 409. */
function fakeApi(): SecretApi<{ readonly _tag: "Down" }> & {
  stored: () => SecretObject | undefined;
  down: (v: boolean) => void;
} {
  let stored: SecretObject | undefined;
  let version = 0;
  let isDown = false;
  const down = () => isDown ? Effect.fail({ _tag: "Down" as const }) : Effect.void;
  return {
    get: () => Effect.flatMap(down(), () => Effect.succeed(stored)),
    apply: (secret) =>
      Effect.flatMap(down(), (): Effect.Effect<SecretObject | "conflict"> => {
        const rv = secret.metadata.resourceVersion;
        if (rv !== undefined && rv !== stored?.metadata.resourceVersion) {
          return Effect.succeed("conflict" as const);
        }
        stored = {
          ...secret,
          metadata: { ...secret.metadata, resourceVersion: String(++version) },
        };
        return Effect.succeed(stored);
      }),
    stored: () => stored,
    down: (v) => void (isDown = v),
  };
}

const policy = { dnsNames: ["aeraki.istio-system.svc"] };
const run = <A, E>(effect: Effect.Effect<A, E, CertificateStore>, api: SecretApi<unknown>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(certificateStoreSecret(api, { namespace: "istio-system" })),
      Effect.provide(TestClock.layer()),
    ),
  );

Deno.test("certificateStoreSecret() creates the Secret once and keeps using it", async () => {
  const api = fakeApi();
  const first = await run(ensureCertificates(policy), api);
  const secret = api.stored()!;
  assert.equal(secret.metadata.name, "aeraki-webhook-certs");
  assert.equal(secret.metadata.labels?.manager, "Aeraki");
  assert.equal(atob(secret.data!["tls.crt"]), first.bundle.server.cert);
  const again = await run(ensureCertificates(policy), api);
  assert.equal(again.renewed, false);
  assert.deepEqual(again.bundle, first.bundle);
  assert.equal(api.stored()!.metadata.resourceVersion, "1", "nothing written the second time");
});

Deno.test("certificateStoreSecret() serves the other replica's certificates after a lost race", async () => {
  const api = fakeApi();
  const theirs = await run(ensureCertificates(policy), api);
  // Our replica loaded before theirs saved the renewal: its save carries a stale version.
  const racing: SecretApi<unknown> = {
    get: (ref) =>
      Effect.map(
        api.get(ref),
        (s) => s && { ...s, metadata: { ...s.metadata, resourceVersion: "0" } },
      ),
    apply: api.apply,
  };
  let gets = 0;
  const counting: SecretApi<unknown> = {
    ...racing,
    get: (ref) => (gets++, gets === 1 ? racing.get(ref) : api.get(ref)),
  };
  const ours = await run(ensureCertificates({ dnsNames: ["other.name"] }), counting);
  assert.deepEqual(ours.bundle, theirs.bundle);
  assert.equal(api.stored()!.metadata.resourceVersion, "1", "their Secret is not overwritten");
});

Deno.test("certificateStoreSecret() names the Secret when the API fails", async () => {
  const api = fakeApi();
  api.down(true);
  const error = await run(Effect.flip(ensureCertificates(policy)), api);
  assert.equal(error._tag, "CertificateStoreError");
  assert.match(
    error.message,
    /^Cannot load the webhook certificates in Secret "istio-system\/aeraki-webhook-certs": /,
  );
});
