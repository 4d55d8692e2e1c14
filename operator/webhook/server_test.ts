import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { certificateStoreMemory } from "./certificates.ts";
import { serveWebhook, type WebhookServer } from "./server.ts";
import { fixtureMetaRouters, reviewOf } from "./_fixtures_testing.ts";

const DAY = 24 * 60 * 60 * 1000;
const policy = { dnsNames: ["localhost", "aeraki.istio-system.svc"], renewBeforeMs: 30 * DAY };

async function post(server: WebhookServer, caCert: string, review: unknown) {
  const client = Deno.createHttpClient({ caCerts: [caCert] });
  try {
    const response = await fetch(`https://localhost:${server.port}/validate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(review),
      client,
    });
    return { status: response.status, body: await response.json() };
  } finally {
    client.close();
  }
}

/** The serial number of the certificate the server presents (time and trust not checked). */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      servername: "localhost",
      rejectUnauthorized: false,
    });
    socket.on("secureConnect", () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on("error", reject);
  });
}

function runScoped<A>(
  body: (server: WebhookServer) => Effect.Effect<A, unknown, TestClock.TestClock>,
  store = certificateStoreMemory(),
  startMs = Date.now(),
) {
  const program = Effect.gen(function* () {
    // Certificates must be valid in real time too: TLS clients check it.
    yield* TestClock.setTime(startMs);
    const server = yield* serveWebhook({ port: 0, hostname: "127.0.0.1", certificates: policy });
    return yield* body(server);
  });
  return Effect.runPromise(
    Effect.scoped(program).pipe(Effect.provide(store.layer), Effect.provide(TestClock.layer())),
  );
}

Deno.test("serveWebhook() answers AdmissionReviews over HTTPS: invalid MetaRouters denied, valid allowed", async () => {
  await runScoped((server) =>
    Effect.gen(function* () {
      const { ca } = yield* server.certificates;
      const bad = fixtureMetaRouters("invalid/metarouter_webhook.yaml");
      for (const { object } of bad.slice(0, 8)) {
        const { status, body } = yield* Effect.promise(() =>
          post(server, ca.cert, reviewOf(object, "UPDATE", "u-bad"))
        );
        assert.equal(status, 200);
        assert.equal(body.kind, "AdmissionReview");
        assert.equal(body.response.uid, "u-bad");
        assert.equal(body.response.allowed, false);
        assert.ok(body.response.status.message.length > 0);
      }
      const good = fixtureMetaRouters("valid/metarouters.yaml");
      for (const { object } of good) {
        const { body } = yield* Effect.promise(() => post(server, ca.cert, reviewOf(object)));
        assert.equal(body.response.allowed, true);
      }
      const quirks = fixtureMetaRouters("valid/quirks.yaml")[0].object;
      const { body } = yield* Effect.promise(() => post(server, ca.cert, reviewOf(quirks)));
      assert.ok(body.response.warnings.some((w: string) => w.includes("can never match")));
    })
  );
});

Deno.test("serveWebhook() refuses clients that do not trust its CA and stops listening when the scope closes", async () => {
  let port = 0;
  await runScoped((server) =>
    Effect.gen(function* () {
      port = server.port;
      const other = certificateStoreMemory();
      void other;
      const stranger = yield* Effect.promise(() =>
        fetch(`https://localhost:${server.port}/validate`).then(() => "trusted", (e) =>
          String(e.cause ?? e))
      );
      assert.match(stranger, /certificate|UnknownIssuer/i);
    })
  );
  const refused = await Deno.connect({ hostname: "127.0.0.1", port }).then(
    (c) => (c.close(), "open"),
    (e) => e.constructor.name,
  );
  assert.equal(refused, "ConnectionRefused");
});

Deno.test("serveWebhook() renews its certificate before expiry and serves the new one on the same port", async () => {
  const store = certificateStoreMemory();
  await runScoped(
    (server) =>
      Effect.gen(function* () {
        const before = yield* server.certificates;
        const serial = (pem: string) => new X509Certificate(pem).serialNumber;
        assert.equal(
          yield* Effect.promise(() => servedSerial(server.port)),
          serial(before.server.cert),
        );
        const review = reviewOf(fixtureMetaRouters("valid/metarouters.yaml")[0].object);
        yield* TestClock.adjust(334 * DAY);
        assert.equal(yield* server.generation, 1, "not yet: 31 days left");
        yield* TestClock.adjust(1 * DAY);
        for (let i = 0; i < 100 && (yield* server.generation) === 1; i++) {
          yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)));
        }
        assert.equal(yield* server.generation, 2);
        const after = yield* server.certificates;
        assert.equal(after.ca.cert, before.ca.cert, "same CA, so the caBundle is unchanged");
        assert.notEqual(after.server.cert, before.server.cert);
        assert.equal(store.current()?.server.cert, after.server.cert, "the renewal was saved");
        const notAfter = Date.parse(new X509Certificate(after.server.cert).validTo);
        assert.ok(notAfter > Date.parse(new X509Certificate(before.server.cert).validTo));
        assert.equal(
          yield* Effect.promise(() => servedSerial(server.port)),
          serial(after.server.cert),
        );
        const { body } = yield* Effect.promise(() => post(server, after.ca.cert, review));
        assert.equal(body.response.allowed, true);
      }),
    store,
    Date.now() - 335 * DAY,
  ); // so the renewal happens at real time: TLS checks it
});
