/**
 * The install's RBAC is enough: on the real kube-apiserver (`_tools/kube_env.sh`, RBAC on),
 * `aeraki operator` runs with the install's arguments as the install's ServiceAccount (a
 * token from the TokenRequest API) and does every write it needs — the Lease, the webhook's
 * Secret, the ValidatingWebhookConfiguration, the EnvoyFilters — with nothing forbidden.
 */
import assert from "node:assert/strict";
import { Chart, Testing } from "cdk8s";
import { Effect } from "effect";
import { AerakiInstall, WEBHOOK_SECRET_NAME } from "../constructs/mod.ts";
import { ENVOY_FILTER, KubeClient, type KubeKind, type KubeObject } from "../operator/kube/mod.ts";
import { SECRET } from "../operator/webhook/registration.ts";
import { freshNamespace, installCrds, kubeTest, runKube } from "./kube_env.ts";
import {
  eventually,
  freePort,
  kubeAccess,
  OperatorProcess,
  readLease,
} from "./_operator_process.ts";
import { thriftServiceInputs } from "./operator_inputs.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG") ?? "";
const RBAC_KINDS = ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];

const cluster = (kind: string, plural: string, group: string): KubeKind => ({
  group,
  version: "v1",
  kind,
  plural,
  namespaced: false,
});
const VWC = cluster(
  "ValidatingWebhookConfiguration",
  "validatingwebhookconfigurations",
  "admissionregistration.k8s.io",
);
const CLUSTER_ROLE = cluster("ClusterRole", "clusterroles", "rbac.authorization.k8s.io");
const CLUSTER_ROLE_BINDING = cluster(
  "ClusterRoleBinding",
  "clusterrolebindings",
  "rbac.authorization.k8s.io",
);

/** The install's RBAC for `ns`, its cluster objects renamed so parallel runs do not share them. */
function installRbac(ns: string): { objects: KubeObject[]; args: string[] } {
  const chart = new Chart(Testing.app(), "install");
  new AerakiInstall(chart, "aeraki", { namespace: ns, crds: false });
  const all = Testing.synth(chart) as KubeObject[];
  const objects = all.filter((o) => RBAC_KINDS.includes(o.kind)).map((o) => {
    if (o.kind === "ClusterRole") return { ...o, metadata: { name: `aeraki-${ns}` } };
    if (o.kind !== "ClusterRoleBinding") return o;
    const roleRef = { ...(o as unknown as { roleRef: object }).roleRef, name: `aeraki-${ns}` };
    return { ...o, metadata: { name: `aeraki-${ns}` }, roleRef } as KubeObject;
  });
  const deployment = all.find((o) => o.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  return { objects, args: deployment.spec.template.spec.containers[0].args.slice(1) };
}

/** A kubeconfig that authenticates as ServiceAccount `ns/aeraki`. */
async function serviceAccountKubeconfig(ns: string, dir: string): Promise<string> {
  const { server, caFile, token } = kubeAccess(KUBECONFIG);
  const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(caFile)] });
  try {
    const res = await fetch(`${server}/api/v1/namespaces/${ns}/serviceaccounts/aeraki/token`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600 },
      }),
      client,
    });
    const body = await res.json();
    assert.equal(res.status, 201, JSON.stringify(body));
    const path = `${dir}/kubeconfig`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server, "certificate-authority": caFile } }],
        users: [{ name: "aeraki", user: { token: body.status.token } }],
        contexts: [{ name: "c", context: { cluster: "c", user: "aeraki" } }],
        "current-context": "c",
      }),
    );
    return path;
  } finally {
    client.close();
  }
}

Deno.test({
  name:
    "AerakiInstall's RBAC lets aeraki operator write its Lease, webhook Secret and configuration, and EnvoyFilters",
  ...kubeTest,
  async fn() {
    const ns = await runKube(Effect.andThen(installCrds(), freshNamespace("install")));
    const { objects, args } = installRbac(ns);
    await runKube(Effect.gen(function* () {
      const client = yield* KubeClient;
      for (const o of [...objects, ...thriftServiceInputs(ns, { vip: "240.240.0.13" })]) {
        yield* client.apply(o, { fieldManager: "aeraki-tests" });
      }
    }));
    const dir = await Deno.makeTempDir();
    const webhookPort = freePort();
    const operator = new OperatorProcess(
      "sa",
      [
        ...args,
        `--watch-namespace=${ns}`,
        `--httpAddr=127.0.0.1:${freePort()}`,
        `--httpsAddr=127.0.0.1:${webhookPort}`,
        `--webhook-url=https://127.0.0.1:${webhookPort}/validate`,
        `--webhook-namespace-selector=kubernetes.io/metadata.name=${ns}`,
      ],
      await serviceAccountKubeconfig(ns, dir),
      { POD_NAME: "aeraki-0", POD_NAMESPACE: ns },
    );
    try {
      await eventually("the operator's writes", () =>
        runKube(Effect.gen(function* () {
          const client = yield* KubeClient;
          const filters = yield* client.list(ENVOY_FILTER, { namespace: ns });
          if (filters.items.length === 0) return yield* Effect.fail("no EnvoyFilter yet");
          yield* client.get(SECRET, { namespace: ns, name: WEBHOOK_SECRET_NAME });
          yield* client.get(VWC, { name: `aeraki-${ns}` });
        })).catch((e) => Promise.reject(new Error(`${e}\n${operator.output()}`))));
      const lease = await readLease(ns);
      assert.match(lease!.record.holderIdentity, /^aeraki-0_[0-9a-f]{8}$/);
      assert.deepEqual(operator.matching(/forbidden/i), [], operator.output());
    } finally {
      await operator.stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
      await runKube(Effect.gen(function* () {
        const client = yield* KubeClient;
        for (
          const [kind, name] of [[VWC, `aeraki-${ns}`], [CLUSTER_ROLE_BINDING, `aeraki-${ns}`], [
            CLUSTER_ROLE,
            `aeraki-${ns}`,
          ]] as const
        ) {
          yield* client.delete(kind, { name }).pipe(
            Effect.catchTag("KubeNotFoundError", () => Effect.void),
          );
        }
      }));
    }
  },
});
