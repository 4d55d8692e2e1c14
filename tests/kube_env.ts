/**
 * Helpers for tests against the real kube-apiserver that `_tools/kube_env.sh` starts (CI
 * exports `AERAKI_KUBECONFIG`): whether such a test runs, a client layer for it, a fresh
 * namespace, and our CRDs plus minimal structural Istio CRDs installed and established.
 *
 * @module
 */
import { Effect, Layer, Schedule } from "effect";
import { AERAKI_CRDS, buildCrd } from "../constructs/crds.ts";
import { KubeClient } from "../operator/kube/client.ts";
import { KubeApiError, type KubeError } from "../operator/kube/errors.ts";
import type { KubeKind, KubeObject } from "../operator/kube/kinds.ts";
import { ISTIO_KUBE_KINDS } from "../operator/kube/kinds.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG");
const UNAVAILABLE = Deno.env.get("AERAKI_KUBE_UNAVAILABLE");

/**
 * `Deno.test` options for a test that needs the API server: ignored when none is configured
 * (a developer run), but when CI could not start one (`AERAKI_KUBE_UNAVAILABLE` says why)
 * the test runs and fails with that reason, since the server is required there.
 */
export const kubeTest = { ignore: KUBECONFIG === undefined && UNAVAILABLE === undefined };

/** The client layer for the test API server; fails the test with CI's reason when it is absent. */
export function kubeLayer(): Layer.Layer<KubeClient, KubeError> {
  if (KUBECONFIG === undefined) {
    throw new Error(
      `Cannot reach the test kube-apiserver: ${UNAVAILABLE ?? "AERAKI_KUBECONFIG is unset"}`,
    );
  }
  // Loaded on use: files of ignored kube tests then do not pay for @kubernetes/client-node.
  return Layer.unwrap(
    Effect.promise(() => import("../operator/kube/client_live.ts")).pipe(
      Effect.map((live) => live.kubeClientLayer({ kubeconfig: KUBECONFIG })),
    ),
  );
}

/** Runs a test body against the API server. */
export function runKube<A, E>(body: Effect.Effect<A, E, KubeClient>): Promise<A> {
  return Effect.runPromise(Effect.provide(body, kubeLayer()));
}

/** Creates a namespace with a unique name (tests never share objects). */
export function freshNamespace(prefix: string): Effect.Effect<string, KubeError, KubeClient> {
  const name = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  return Effect.flatMap(
    KubeClient,
    (c) => Effect.as(c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }), name),
  );
}

/** A minimal structural CRD for an Istio kind: served at v1alpha3, v1beta1 and v1, any spec. */
export function istioCrd(kind: KubeKind): KubeObject {
  const schema = {
    openAPIV3Schema: {
      type: "object",
      properties: {
        spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.plural}.${kind.group}` },
    spec: {
      group: kind.group,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.kind.toLowerCase(),
      },
      scope: "Namespaced",
      versions: ["v1alpha3", "v1beta1", "v1"].map((name) => ({
        name,
        served: true,
        storage: name === "v1alpha3",
        subresources: { status: {} },
        schema,
      })),
    },
  };
}

const CRD_KIND: KubeKind = {
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  namespaced: false,
};

/** Installs (server-side apply) our five CRDs and the Istio ones, and waits until all serve. */
export function installCrds(): Effect.Effect<void, KubeError, KubeClient> {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    const crds = [
      ...AERAKI_CRDS.map((info) => buildCrd(info) as unknown as KubeObject),
      ...ISTIO_KUBE_KINDS.map(istioCrd),
    ];
    for (const crd of crds) yield* client.apply(crd, { fieldManager: "aeraki-tests" });
    for (const crd of crds) {
      yield* client.get(CRD_KIND, { name: crd.metadata.name }).pipe(
        Effect.flatMap((o) => established(o) ? Effect.void : Effect.fail("not yet" as const)),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 300 }))),
        Effect.mapError((e) =>
          e === "not yet"
            ? new KubeApiError({
              status: 0,
              reason: "NotEstablished",
              message: `Cannot install CRD "${crd.metadata.name}": not established after 30 s`,
            })
            : e
        ),
      );
    }
  });
}

function established(crd: KubeObject): boolean {
  const conditions = ((crd.status ?? {}) as { conditions?: { type: string; status: string }[] })
    .conditions ?? [];
  return conditions.some((c) => c.type === "Established" && c.status === "True");
}
