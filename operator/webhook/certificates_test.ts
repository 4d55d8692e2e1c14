import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { Effect, Layer } from "effect";
import { TestClock } from "effect/testing";
import {
  bundleToSecretData,
  type CertificatePolicy,
  CertificateStore,
  certificateStoreFiles,
  certificateStoreMemory,
  ensureCertificates,
  secretDataToBundle,
  webhookDnsNames,
} from "./certificates.ts";

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse("2026-12-01T00:00:00Z");
const policy: CertificatePolicy = {
  dnsNames: webhookDnsNames("istio-system"),
  caValidityMs: 3650 * DAY,
  serverValidityMs: 365 * DAY,
  renewBeforeMs: 30 * DAY,
};

function run<A, E>(
  effect: Effect.Effect<A, E, CertificateStore | TestClock.TestClock>,
  layer: Layer.Layer<CertificateStore>,
) {
  return Effect.runPromise(
    effect.pipe(Effect.provide(layer), Effect.provide(TestClock.layer())) as Effect.Effect<A, E>,
  );
}

const serial = (pem: string) => new X509Certificate(pem).serialNumber;

Deno.test("ensureCertificates() mints once, keeps until 30 days before expiry, then renews the server certificate", async () => {
  const store = certificateStoreMemory();
  await run(
    Effect.gen(function* () {
      yield* TestClock.setTime(START);
      const first = yield* ensureCertificates(policy);
      assert.equal(first.renewed, true);
      assert.equal(first.renewAt, START + 335 * DAY);
      const server = new X509Certificate(first.bundle.server.cert);
      assert.deepEqual(server.subjectAltName?.split(", "), policy.dnsNames.map((n) => `DNS:${n}`));
      assert.ok(server.checkIssued(new X509Certificate(first.bundle.ca.cert)));

      yield* TestClock.adjust(335 * DAY - 1000);
      const kept = yield* ensureCertificates(policy);
      assert.equal(kept.renewed, false);
      assert.equal(store.saved(), 1);

      yield* TestClock.adjust(1000);
      const renewed = yield* ensureCertificates(policy);
      assert.equal(renewed.renewed, true);
      assert.equal(store.saved(), 2);
      assert.equal(serial(renewed.bundle.ca.cert), serial(first.bundle.ca.cert), "the CA is kept");
      assert.notEqual(serial(renewed.bundle.server.cert), serial(first.bundle.server.cert));
      assert.equal(
        Date.parse(new X509Certificate(renewed.bundle.server.cert).validTo),
        START + 700 * DAY,
      );
    }),
    store.layer,
  );
});

Deno.test("ensureCertificates() renews the CA before it expires and the server certificate with it", async () => {
  const store = certificateStoreMemory();
  await run(
    Effect.gen(function* () {
      yield* TestClock.setTime(START);
      const first = yield* ensureCertificates({ ...policy, serverValidityMs: 4000 * DAY });
      assert.equal(first.renewAt, START + 3620 * DAY, "the CA's expiry comes first");
      yield* TestClock.adjust(3620 * DAY);
      const next = yield* ensureCertificates(policy);
      assert.notEqual(serial(next.bundle.ca.cert), serial(first.bundle.ca.cert));
      assert.ok(
        new X509Certificate(next.bundle.server.cert).checkIssued(
          new X509Certificate(next.bundle.ca.cert),
        ),
      );
    }),
    store.layer,
  );
});

Deno.test("ensureCertificates() reissues for new DNS names, a foreign server certificate or unreadable PEM", async () => {
  const store = certificateStoreMemory();
  await run(
    Effect.gen(function* () {
      yield* TestClock.setTime(START);
      const first = yield* ensureCertificates(policy);
      const moved = yield* ensureCertificates({ ...policy, dnsNames: webhookDnsNames("mesh") });
      assert.equal(moved.renewed, true);
      assert.equal(serial(moved.bundle.ca.cert), serial(first.bundle.ca.cert));
      const store2 = yield* CertificateStore;
      const other = (yield* ensureCertificates({ ...policy, dnsNames: ["x"] })).bundle;
      yield* store2.save({ ca: moved.bundle.ca, server: { ...other.server } });
      assert.equal((yield* ensureCertificates(policy)).renewed, true, "server not signed by CA");
      yield* store2.save({ ca: { cert: "garbage", key: "x" }, server: moved.bundle.server });
      const fixed = yield* ensureCertificates(policy);
      assert.equal(fixed.renewed, true);
      assert.ok(new X509Certificate(fixed.bundle.ca.cert).ca);
    }),
    store.layer,
  );
});

Deno.test("ensureCertificates() serves the bundle another replica stored first", async () => {
  const winner = certificateStoreMemory();
  const { bundle: theirs } = await run(ensureCertificates(policy), winner.layer);
  let loads = 0;
  const racing = Layer.succeed(CertificateStore, {
    where: "race",
    load: Effect.sync(() => (loads++, undefined)),
    save: () => Effect.succeed(theirs),
  });
  const ours = await run(ensureCertificates(policy), racing);
  assert.equal(loads, 1);
  assert.deepEqual(ours.bundle, theirs);
  assert.equal(ours.renewed, true);
});

Deno.test("bundleToSecretData() and secretDataToBundle() round-trip; missing keys read as nothing", async () => {
  const store = certificateStoreMemory();
  const { bundle } = await run(ensureCertificates(policy), store.layer);
  const data = bundleToSecretData(bundle);
  assert.deepEqual(Object.keys(data).sort(), ["ca.crt", "ca.key", "tls.crt", "tls.key"]);
  assert.deepEqual(secretDataToBundle(data), bundle);
  const { ["tls.key"]: _, ...partial } = data;
  assert.equal(secretDataToBundle(partial), undefined);
  assert.equal(secretDataToBundle(undefined), undefined);
});

Deno.test("certificateStoreFiles() keeps certificates across restarts and names the folder on errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const layer = certificateStoreFiles(dir);
    const first = await run(ensureCertificates(policy), layer);
    const second = await run(ensureCertificates(policy), layer);
    assert.equal(second.renewed, false);
    assert.deepEqual(second.bundle, first.bundle);
    assert.equal((await Deno.stat(`${dir}/tls.key`)).mode! & 0o777, 0o600);
    // A file where the folder should be fails even for root.
    const notDir = `${dir}/tls.crt`;
    const failed = await Effect.runPromise(
      Effect.flip(ensureCertificates(policy)).pipe(Effect.provide(certificateStoreFiles(notDir))),
    );
    assert.equal(failed._tag, "CertificateStoreError");
    assert.match(failed.message, /^Cannot load the webhook certificates in folder ".*tls.crt": /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
