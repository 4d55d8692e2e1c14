// Against the real kube-apiserver of `_tools/kube_env.sh`: ServiceEntries without addresses get
// VIPs in upstream's sequence, written once each; a colliding VIP is moved, others are untouched.
import assert from "node:assert/strict";
import { Effect, Fiber } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { KubeClient, type KubeObject, SERVICE_ENTRY } from "../kube/mod.ts";
import { runVipController } from "./vip_controller.ts";

function serviceEntry(ns: string, name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { namespace: ns, name },
    spec: {
      hosts: [`${name}.example.com`],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift", protocol: "TCP" }],
      resolution: "STATIC",
      ...spec,
    },
  };
}

Deno.test({
  name:
    "runVipController() gives ServiceEntries without addresses VIPs from 240.240.0.1 on, moves a colliding one, touches no other",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const client = yield* KubeClient;
      const ns = yield* freshNamespace("vips");
      const addresses = (name: string) =>
        Effect.map(
          client.get(SERVICE_ENTRY, { namespace: ns, name }),
          (se) => ((se.spec as { addresses?: string[] }).addresses ?? []),
        );
      yield* client.apply(serviceEntry(ns, "first"));
      yield* client.apply(serviceEntry(ns, "own", { addresses: ["10.9.9.9"] }));
      yield* client.apply(serviceEntry(ns, "none", { resolution: "NONE" }));
      const untouched = yield* Effect.all(
        ["own", "none"].map((name) => client.get(SERVICE_ENTRY, { namespace: ns, name })),
      );
      const start = () =>
        Effect.forkChild(runVipController({
          namespace: ns,
          watch: { backoff: { base: "100 millis", max: "1 second" } },
        }));
      let fiber = yield* start();
      const waitFor = (name: string, want: string[]) =>
        Effect.gen(function* () {
          for (let i = 0; i < 100 && !same(yield* addresses(name), want); i++) {
            yield* Effect.sleep("100 millis");
          }
          assert.deepEqual(yield* addresses(name), want, `ServiceEntry "${name}"`);
        });
      yield* waitFor("first", ["240.240.0.1"]);
      yield* client.apply(serviceEntry(ns, "second"));
      yield* waitFor("second", ["240.240.0.2"]);
      // A newer entry that claims a VIP another one holds gets its own.
      yield* client.apply(serviceEntry(ns, "copycat", { addresses: ["240.240.0.1"] }));
      yield* waitFor("copycat", ["240.240.0.3"]);
      yield* waitFor("first", ["240.240.0.1"]);
      for (const before of untouched) {
        const now = yield* client.get(SERVICE_ENTRY, before.metadata);
        assert.equal(now.metadata.resourceVersion, before.metadata.resourceVersion);
      }
      // A restart with every entry settled writes nothing.
      yield* Fiber.interrupt(fiber);
      const versions = (yield* client.list(SERVICE_ENTRY, { namespace: ns })).items.map((o) =>
        o.metadata.resourceVersion
      );
      fiber = yield* start();
      yield* client.apply(serviceEntry(ns, "third"));
      yield* waitFor("third", ["240.240.0.4"]);
      const after = (yield* client.list(SERVICE_ENTRY, { namespace: ns })).items
        .filter((o) => o.metadata.name !== "third")
        .map((o) => o.metadata.resourceVersion);
      assert.deepEqual(after, versions, "the restart rewrote settled entries");
      yield* Fiber.interrupt(fiber);
    })),
});

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
