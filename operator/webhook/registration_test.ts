import assert from "node:assert/strict";
import { Effect, Fiber, Layer, Ref } from "effect";
import { TestClock } from "effect/testing";
import { KubeApiError, KubeClient, type KubeClientShape, type KubeObject } from "../kube/mod.ts";
import type { CertificateBundle } from "./certificates.ts";
import { keepWebhookRegistered } from "./registration.ts";

// Timing with TestClock over a client that records applies; the real API server is in
// tests/webhook_kube_test.ts.
function recordingClient(failFirst: number) {
  const applied: KubeObject[] = [];
  let failures = failFirst;
  const unused = () => Effect.die("not used by the registration");
  const client = {
    list: unused,
    watch: unused,
    get: unused,
    applyStatus: unused,
    delete: unused,
    apply: (object: unknown) =>
      Effect.suspend(() => {
        if (failures-- > 0) {
          return Effect.fail(
            new KubeApiError({ status: 500, reason: "InternalError", message: "etcd is down" }),
          );
        }
        applied.push(object as KubeObject);
        return Effect.succeed(object as KubeObject);
      }),
  } as unknown as KubeClientShape;
  return { applied, layer: Layer.succeed(KubeClient, client) };
}

const bundle = (ca: string): CertificateBundle => ({
  ca: { cert: ca, key: "k" },
  server: { cert: `server of ${ca}`, key: "k" },
});

const caOf = (o: KubeObject) =>
  atob(
    (o as unknown as { webhooks: { clientConfig: { caBundle: string } }[] }).webhooks[0]
      .clientConfig.caBundle,
  );

Deno.test("keepWebhookRegistered() registers once, retries a failed write, and registers again when the CA changes", async () => {
  const { applied, layer } = recordingClient(2);
  await Effect.runPromise(
    Effect.gen(function* () {
      const served = yield* Ref.make(bundle("CA-1"));
      const fiber = yield* Effect.forkChild(
        keepWebhookRegistered(Ref.get(served), {
          namespace: "istio-system",
          checkMs: 30_000,
          onRegistered: () => Effect.void,
        }),
      );
      // Two failures back off (800 ms, then 1.6 s, with jitter up to 20 %), then it writes.
      yield* TestClock.adjust("5 seconds");
      assert.equal(applied.length, 1);
      assert.equal(applied[0].metadata.name, "aeraki-istio-system");
      assert.equal(caOf(applied[0]), "CA-1");
      yield* TestClock.adjust("5 minutes");
      assert.equal(applied.length, 1, "an unchanged CA is not written again");
      yield* Ref.set(served, bundle("CA-2"));
      yield* TestClock.adjust("30 seconds");
      assert.equal(applied.length, 2);
      assert.equal(caOf(applied[1]), "CA-2");
      yield* Fiber.interrupt(fiber);
    }).pipe(Effect.provide(layer), Effect.provide(TestClock.layer())),
  );
});
