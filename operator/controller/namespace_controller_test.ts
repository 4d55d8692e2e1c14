// Against the real kube-apiserver of `_tools/kube_env.sh`: injected namespaces get the sidecar
// bootstrap ConfigMap, lose it with their label, and someone else's ConfigMap is left alone.
import assert from "node:assert/strict";
import { Effect, Fiber } from "effect";
import { freshNamespace, kubeTest, runKube } from "../../tests/kube_env.ts";
import { BOOTSTRAP_CONFIG_MAP, buildSidecarBootstrap } from "../generate/mod.ts";
import { CONFIG_MAP, KubeClient, type KubeObject } from "../kube/mod.ts";
import {
  NAMESPACE,
  planBootstrapConfigMaps,
  runNamespaceController,
} from "./namespace_controller.ts";

const OPTIONS = { xdsAddress: "aeraki.mesh-root", xdsPort: 15011 };

function namespace(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

/** Polls until `check` holds (10 s at most). */
function eventually(what: string, check: Effect.Effect<boolean, unknown, KubeClient>) {
  return Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      if (yield* check) return;
      yield* Effect.sleep("100 millis");
    }
    assert.fail(`Timed out waiting until ${what}`);
  });
}

Deno.test("planBootstrapConfigMaps() creates, corrects and removes only labelled ConfigMaps", () => {
  const ours = (ns: string, data = "{}") =>
    ({
      ...buildSidecarBootstrap(ns),
      data: { "custom_bootstrap.json": data },
    }) as unknown as KubeObject;
  const theirs = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { namespace: "d", name: BOOTSTRAP_CONFIG_MAP },
  };
  const plan = planBootstrapConfigMaps(
    [
      namespace("a", { "istio-injection": "enabled" }),
      namespace("b", { "istio.io/rev": "canary" }),
      namespace("c", {}),
      namespace("d", { "istio-injection": "enabled" }),
      namespace("e", { "istio-injection": "disabled" }),
      { ...namespace("f", {}), status: { phase: "Terminating" } },
    ],
    [ours("b"), ours("c"), theirs, ours("e"), ours("f"), ours("gone")],
  );
  assert.deepEqual(
    plan.apply.map((a) => `${a.object.metadata.namespace} ${a.create ? "create" : "correct"}`),
    ["a create", "b correct"],
  );
  assert.deepEqual(plan.remove.map((c) => c.metadata.namespace), ["c", "e"]);
  const settled = planBootstrapConfigMaps([namespace("a", { "istio-injection": "enabled" })], [
    buildSidecarBootstrap("a") as unknown as KubeObject,
  ]);
  assert.deepEqual(settled, { apply: [], remove: [] });
});

Deno.test({
  name:
    "runNamespaceController() writes the bootstrap ConfigMap where sidecars are injected, follows label changes, leaves others' alone",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      const client = yield* KubeClient;
      const prefix = (yield* freshNamespace("nsctl")).slice(6);
      const names = ["a", "b", "c", "d"].map((n) => `nsctl-${prefix}-${n}`);
      const [injected, revisioned, plain, foreign] = names;
      const held = (ns: string) =>
        Effect.map(
          Effect.result(client.get(CONFIG_MAP, { namespace: ns, name: BOOTSTRAP_CONFIG_MAP })),
          (r) => (r._tag === "Success" ? r.success : undefined),
        );
      yield* client.apply(namespace(foreign, { "istio-injection": "enabled" }));
      const theirs = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { namespace: foreign, name: BOOTSTRAP_CONFIG_MAP },
        data: { "custom_bootstrap.json": "{}" },
      };
      yield* client.apply(theirs, { fieldManager: "someone-else" });
      const fiber = yield* Effect.forkChild(runNamespaceController({
        ...OPTIONS,
        watch: { backoff: { base: "100 millis", max: "1 second" } },
      }));
      yield* client.apply(namespace(injected, { "istio-injection": "enabled" }));
      yield* client.apply(namespace(revisioned, { "istio.io/rev": "canary" }));
      yield* client.apply(namespace(plain, {}));
      const expected = buildSidecarBootstrap(injected, OPTIONS);
      yield* eventually(
        "both injected namespaces have the ConfigMap",
        Effect.map(Effect.all([held(injected), held(revisioned)]), (l) => l.every(Boolean)),
      );
      const made = (yield* held(injected))!;
      assert.deepEqual(made.data, expected.data);
      assert.deepEqual(made.metadata.labels, { manager: "Aeraki" });

      // Labels change: the first namespace stops injecting, the plain one starts.
      yield* client.apply(namespace(injected, { "istio-injection": "disabled" }));
      yield* client.apply(namespace(plain, { "istio-injection": "enabled" }));
      yield* eventually(
        "the ConfigMap followed the labels",
        Effect.map(
          Effect.all([held(injected), held(plain)]),
          ([a, c]) => a === undefined && c !== undefined,
        ),
      );
      // Someone else's ConfigMap of the same name stayed theirs, as they wrote it.
      const still = (yield* held(foreign))!;
      assert.deepEqual(still.data, theirs.data);
      const managers = (still.metadata.managedFields as { manager: string }[]).map((f) =>
        f.manager
      );
      assert.deepEqual(managers, ["someone-else"]);
      yield* Fiber.interrupt(fiber);
      for (const n of names) yield* client.delete(NAMESPACE, { name: n });
    })),
});
