/**
 * The admission webhook end to end on the real kube-apiserver (`_tools/kube_env.sh`):
 * `aeraki operator` keeps its certificates in a Secret, registers a
 * ValidatingWebhookConfiguration that calls it at a loopback URL (as envtest does) with its CA,
 * scoped to this test's namespace so parallel tests on the same server are not reviewed, and
 * the API server then refuses a MetaRouter that `aeraki validate` refuses (with its words),
 * admits a good one and passes warnings back. A restarted operator reuses the Secret's CA.
 */
import assert from "node:assert/strict";
import { Effect } from "effect";
import { KubeClient, type KubeKind } from "../operator/kube/mod.ts";
import { reviewAdmission } from "../operator/webhook/admission.ts";
import { ensureCertificates, secretDataToBundle } from "../operator/webhook/certificates.ts";
import { kubeSecretApi, SECRET } from "../operator/webhook/registration.ts";
import { certificateStoreSecret } from "../operator/webhook/secret_store.ts";
import { reviewOf } from "../operator/webhook/_fixtures_testing.ts";
import { freshNamespace, installCrds, kubeTest, runKube } from "./kube_env.ts";
import { eventually, freePort, kubeAccess, OperatorProcess } from "./_operator_process.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG") ?? "";

const VWC: KubeKind = {
  group: "admissionregistration.k8s.io",
  version: "v1",
  kind: "ValidatingWebhookConfiguration",
  plural: "validatingwebhookconfigurations",
  namespaced: false,
};

/** Raw API calls, to read the status and `Warning` headers the client does not expose. */
function rawApi() {
  const { server, caFile, token } = kubeAccess(KUBECONFIG);
  const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(caFile)] });
  return {
    /** Server-side applies a MetaRouter; `dryRun` writes nothing. */
    async applyMetaRouter(
      object: { metadata: { namespace: string; name: string } },
      dryRun = false,
    ) {
      const { namespace, name } = object.metadata;
      const query = `fieldManager=aeraki-tests&force=true${dryRun ? "&dryRun=All" : ""}`;
      const res = await fetch(
        `${server}/apis/metaprotocol.aeraki.io/v1alpha1/namespaces/${namespace}/metarouters/${name}?${query}`,
        {
          method: "PATCH",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/apply-patch+yaml",
          },
          body: JSON.stringify(object),
          client,
        },
      );
      const body = await res.json();
      return { status: res.status, body, warning: res.headers.get("warning") ?? "" };
    },
    close: () => client.close(),
  };
}

function metaRouter(ns: string, name: string, routes: unknown[]) {
  const host = `thrift-sample-server.${ns}.svc.cluster.local`;
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name },
    spec: { hosts: [host], routes },
  };
}

/** Destinations whose weights do not sum to 100: the CRD schema lets it through. */
function badRoutes(ns: string) {
  const host = `thrift-sample-server.${ns}.svc.cluster.local`;
  return [{
    name: "split",
    route: [
      { destination: { host, subset: "v1" }, weight: 30 },
      { destination: { host, subset: "v2" }, weight: 30 },
    ],
  }];
}

function startOperator(ns: string, webhookPort: number): OperatorProcess {
  return new OperatorProcess("op", [
    `--root-namespace=${ns}`,
    `--watch-namespace=${ns}`,
    `--httpAddr=127.0.0.1:${freePort()}`,
    `--httpsAddr=127.0.0.1:${webhookPort}`,
    "--webhook-secret=aeraki-webhook-certs",
    `--webhook-url=https://127.0.0.1:${webhookPort}/validate`,
    `--webhook-namespace-selector=kubernetes.io/metadata.name=${ns}`,
  ], KUBECONFIG);
}

/** The registered CA bundle and the Secret's CA, once both exist. */
function registered(ns: string) {
  return eventually("the webhook configuration", () =>
    runKube(Effect.gen(function* () {
      const client = yield* KubeClient;
      const config = yield* client.get(VWC, { name: `aeraki-${ns}` });
      const secret = yield* client.get(SECRET, { namespace: ns, name: "aeraki-webhook-certs" });
      const bundle = secretDataToBundle((secret as { data?: Record<string, string> }).data);
      const hook = (config as unknown as {
        webhooks: { clientConfig: { caBundle: string; url: string } }[];
      }).webhooks[0];
      return {
        caBundle: atob(hook.clientConfig.caBundle),
        url: hook.clientConfig.url,
        secretCa: bundle?.ca.cert,
        secretVersion: secret.metadata.resourceVersion,
      };
    })));
}

Deno.test({
  name:
    "aeraki operator registers its webhook, and the API server refuses a bad MetaRouter with aeraki validate's words",
  ...kubeTest,
  async fn() {
    const [ns, other] = await runKube(
      Effect.andThen(
        installCrds(),
        Effect.all([freshNamespace("webhook"), freshNamespace("webhook-other")]),
      ),
    );
    const webhookPort = freePort();
    let operator = startOperator(ns, webhookPort);
    const api = rawApi();
    try {
      const first = await registered(ns);
      assert.equal(first.caBundle, first.secretCa, "the CA bundle is the Secret's CA");
      assert.equal(first.url, `https://127.0.0.1:${webhookPort}/validate`);

      // Refused, with the words of `aeraki validate` (the same review, in process).
      const bad = metaRouter(ns, "bad-split", badRoutes(ns));
      const expected = reviewAdmission(reviewOf(bad)).body as {
        response: { status: { message: string } };
      };
      const words = expected.response.status.message;
      assert.match(words, /weight/);
      // The API server picks up a new webhook configuration within a second or so.
      await eventually("the API server to call the webhook", async () => {
        const r = await api.applyMetaRouter(bad, true);
        if (r.status < 400) throw new Error(`admitted: ${r.status}`);
        return r;
      });
      const refused = await api.applyMetaRouter(bad);
      assert.ok(refused.status >= 400, JSON.stringify(refused.body));
      assert.match(refused.body.message, /admission webhook "validation\.aeraki\.io" denied/);
      assert.ok(
        refused.body.message.includes(words),
        `${refused.body.message}\nlacks\n${words}`,
      );

      // Admitted; and a warning comes back as a Warning header.
      const host = `thrift-sample-server.${ns}.svc.cluster.local`;
      const good = await api.applyMetaRouter(
        metaRouter(ns, "good", [{ name: "v1", route: [{ destination: { host, subset: "v1" } }] }]),
      );
      assert.ok(good.status === 200 || good.status === 201, JSON.stringify(good.body));
      assert.equal(good.warning, "");
      const shadowed = metaRouter(ns, "shadowed", [
        { name: "first", route: [{ destination: { host, subset: "v1" } }] },
        { name: "second", route: [{ destination: { host, subset: "v2" } }] },
      ]);
      const warned = await api.applyMetaRouter(shadowed);
      assert.ok(warned.status < 400, JSON.stringify(warned.body));
      const warnings = (reviewAdmission(reviewOf(shadowed)).body as {
        response: { warnings: string[] };
      }).response.warnings;
      assert.equal(warnings.length, 1);
      // RFC 7234's form: `299 - "<text with quotes escaped>"`.
      const header = /^299 - "(.*)"$/.exec(warned.warning)?.[1]?.replaceAll('\\"', '"');
      assert.equal(header, warnings[0]);

      // Another namespace is outside the selector: not reviewed.
      const elsewhere = await api.applyMetaRouter(metaRouter(other, "bad-split", badRoutes(other)));
      assert.ok(elsewhere.status < 400, JSON.stringify(elsewhere.body));

      // A restarted operator reuses the Secret's CA: no new Secret, the same bundle.
      assert.equal(await operator.stop("SIGTERM"), 0, operator.output());
      operator = startOperator(ns, webhookPort);
      await eventually(
        "the restarted operator to register",
        () =>
          operator.matching(/Registered ValidatingWebhookConfiguration/).length > 0 ||
          Promise.reject(new Error(operator.output())),
      );
      const second = await registered(ns);
      assert.equal(second.caBundle, first.caBundle);
      assert.equal(second.secretVersion, first.secretVersion, "the Secret was not written");
      const again = await eventually("the restarted webhook to refuse", async () => {
        const r = await api.applyMetaRouter(bad, true);
        if (r.status < 400) throw new Error(`admitted: ${r.status}`);
        return r;
      });
      assert.ok(again.body.message.includes(words));
    } finally {
      api.close();
      if (operator.exitedAt === undefined) await operator.stop("SIGTERM");
      // Cluster-scoped: never leave it behind for other tests.
      await runKube(Effect.flatMap(KubeClient, (c) =>
        c.delete(VWC, { name: `aeraki-${ns}` }).pipe(
          Effect.catchTag("KubeNotFoundError", () => Effect.void),
        )));
    }
  },
});

Deno.test({
  name:
    "certificateStoreSecret() over kubeSecretApi(): two replicas minting at once serve the one CA the Secret keeps",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      const ns = yield* freshNamespace("certs");
      const client = yield* KubeClient;
      const policy = { dnsNames: ["aeraki." + ns + ".svc"] };
      const replica = (identity: string) =>
        ensureCertificates(policy).pipe(
          Effect.provide(
            certificateStoreSecret(kubeSecretApi(client, { identity }), { namespace: ns }),
          ),
        );
      // Both load "absent" before either saves; the second save conflicts and reads the first.
      const [a, b] = yield* Effect.all([replica("a"), replica("b")], { concurrency: 2 });
      assert.equal(a.bundle.ca.cert, b.bundle.ca.cert, "both serve one CA");
      const stored = yield* client.get(SECRET, { namespace: ns, name: "aeraki-webhook-certs" });
      const kept = secretDataToBundle((stored as { data?: Record<string, string> }).data);
      assert.equal(kept?.ca.cert, a.bundle.ca.cert);
      assert.equal(kept?.server.cert, a.bundle.server.cert);
      // A later replica reuses it without writing.
      const c = yield* replica("c");
      assert.equal(c.renewed, false);
      assert.equal(c.bundle.server.cert, kept?.server.cert);
      const after = yield* client.get(SECRET, { namespace: ns, name: "aeraki-webhook-certs" });
      assert.equal(after.metadata.resourceVersion, stored.metadata.resourceVersion);
    })),
});
