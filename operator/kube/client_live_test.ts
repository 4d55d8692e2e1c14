// Against the real kube-apiserver of `_tools/kube_env.sh` (CI exports AERAKI_KUBECONFIG).
import assert from "node:assert/strict";
import { Effect, Fiber, Queue } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { deleteIfExists, KubeClient } from "./client.ts";
import { type KubeObject, META_ROUTER, SERVICE_ENTRY } from "./kinds.ts";
import { KubeStore, type StoreChange } from "./store.ts";
import { runWatcher } from "./watcher.ts";

function metaRouter(namespace: string, name: string, method: string): KubeObject {
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace, name },
    spec: {
      hosts: [`${name}.${namespace}.svc.cluster.local`],
      routes: [{
        name: "v1",
        match: { attributes: { method: { exact: method } } },
        route: [{ destination: { host: `${name}.${namespace}.svc.cluster.local`, subset: "v1" } }],
      }],
    },
  };
}

/** Runs the MetaRouter watcher into a store; `next` takes the next store change. */
function watchIntoStore(namespace: string, store: KubeStore, resourceVersion?: string) {
  return Effect.gen(function* () {
    const changes = yield* Queue.unbounded<StoreChange>();
    const lists = { count: 0, gone: 0 };
    const fiber = yield* Effect.forkChild(runWatcher(META_ROUTER, {
      namespace,
      resourceVersion,
      onEvent: (e) =>
        Effect.sync(() => {
          if (e.type === "Restarted") lists.count++;
          for (const c of store.apply(e)) Queue.offerUnsafe(changes, c);
        }),
      onError: (e) => Effect.sync(() => e._tag === "KubeGoneError" && lists.gone++),
    }));
    const next = Effect.map(
      Effect.timeoutOrElse(Queue.take(changes), {
        duration: "20 seconds",
        orElse: () => Effect.die(new Error("Cannot see the next change: none in 20 s")),
      }),
      (c) => `${c.type} ${c.object.metadata.name}`,
    );
    return { fiber, next, lists };
  });
}

Deno.test({
  name: "KubeClientLive watch sees create, update and delete in order",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("watch");
      const client = yield* KubeClient;
      const store = new KubeStore();
      const w = yield* watchIntoStore(ns, store);
      yield* client.apply(metaRouter(ns, "a", "sayHello"));
      assert.equal(yield* w.next, "Added a");
      yield* client.apply(metaRouter(ns, "a", "sayBye"));
      assert.equal(yield* w.next, "Updated a");
      yield* client.apply(metaRouter(ns, "b", "x"));
      assert.equal(yield* w.next, "Added b");
      yield* client.delete(META_ROUTER, { namespace: ns, name: "a" });
      assert.equal(yield* w.next, "Deleted a");
      yield* Fiber.interrupt(w.fiber);
      assert.deepEqual(store.list(META_ROUTER).map((o) => o.metadata.name), ["b"]);
      const b = store.get(META_ROUTER, { namespace: ns, name: "b" });
      assert.deepEqual(b?.spec, metaRouter(ns, "b", "x").spec);
    })),
});

Deno.test({
  name: "KubeClientLive apply() twice with the same content keeps the resourceVersion",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("apply");
      const client = yield* KubeClient;
      const entry: KubeObject = {
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "ServiceEntry",
        metadata: { namespace: ns, name: "thrift", labels: { manager: "Aeraki" } },
        spec: {
          hosts: ["thrift.example"],
          ports: [{ number: 9090, name: "tcp-metaprotocol-thrift" }],
        },
      };
      const first = yield* client.apply(entry);
      const second = yield* client.apply(entry);
      assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
      const changed = yield* client.apply({
        ...entry,
        spec: { ...entry.spec as object, location: "MESH_INTERNAL" },
      });
      assert.notEqual(changed.metadata.resourceVersion, first.metadata.resourceVersion);
      const managers = (changed.metadata.managedFields as { manager: string; operation: string }[])
        .map((f) => `${f.manager} ${f.operation}`);
      assert.deepEqual(managers, ["aeraki Apply"]);
      const read = yield* client.get(SERVICE_ENTRY, { namespace: ns, name: "thrift" });
      assert.equal((read.spec as { location?: string }).location, "MESH_INTERNAL");
    })),
});

Deno.test({
  name: "KubeClientLive errors say which object failed and are distinguishable by tag",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("errors");
      const client = yield* KubeClient;
      const missing = yield* Effect.flip(client.get(META_ROUTER, { namespace: ns, name: "nope" }));
      assert.equal(missing._tag, "KubeNotFoundError");
      assert.match(missing.message, new RegExp(`^Cannot read MetaRouter "${ns}/nope": `));
      yield* deleteIfExists(META_ROUTER, { namespace: ns, name: "nope" });
      // Another manager owning a field: a non-forced apply conflicts.
      yield* client.apply(metaRouter(ns, "owned", "a"), { fieldManager: "someone-else" });
      const conflict = yield* Effect.flip(
        client.apply(metaRouter(ns, "owned", "b"), { force: false }),
      );
      assert.equal(conflict._tag, "KubeConflictError");
      assert.equal(conflict.status, 409);
      // A spec of the wrong shape: the API server cannot even type the apply patch (500).
      const bad = { ...metaRouter(ns, "bad", "a"), spec: { hosts: "not-a-list" } };
      const untyped = yield* Effect.flip(client.apply(bad));
      assert.equal(untyped._tag, "KubeApiError");
      assert.match(
        untyped.message,
        /^Cannot apply MetaRouter ".*\/bad": .*\.spec\.hosts: expected list/,
      );
      // An invalid name: 422 Invalid.
      const invalid = yield* Effect.flip(client.apply(metaRouter(ns, "Bad_Name", "a")));
      assert.deepEqual([invalid._tag, invalid.status, invalid.reason], [
        "KubeApiError",
        422,
        "Invalid",
      ]);
      assert.match(invalid.message, /^Cannot apply MetaRouter ".*\/Bad_Name": .*metadata\.name/);
    })),
});

Deno.test({
  name: "KubeClientLive applyStatus() writes the status subresource only",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("status");
      const client = yield* KubeClient;
      const created = yield* client.apply(metaRouter(ns, "s", "a"));
      const status = {
        conditions: [{
          type: "Accepted",
          status: "True",
          reason: "Accepted",
          message: "generated 1 EnvoyFilter",
          observedGeneration: created.metadata.generation,
          lastTransitionTime: "2026-01-01T00:00:00Z",
        }],
      };
      yield* client.applyStatus({
        apiVersion: created.apiVersion,
        kind: created.kind,
        metadata: { namespace: ns, name: "s" },
        status,
      });
      const read = yield* client.get(META_ROUTER, { namespace: ns, name: "s" });
      assert.deepEqual(read.status, status);
      assert.equal(read.metadata.generation, created.metadata.generation);
      assert.deepEqual(read.spec, created.spec);
    })),
});

Deno.test({
  name: "runWatcher() relists after 410 Gone without losing an object",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("gone");
      const client = yield* KubeClient;
      yield* client.apply(metaRouter(ns, "kept", "a"));
      yield* client.apply(metaRouter(ns, "removed", "a"));
      const store = new KubeStore();
      const first = yield* watchIntoStore(ns, store);
      assert.deepEqual([yield* first.next, yield* first.next], ["Added kept", "Added removed"]);
      yield* Fiber.interrupt(first.fiber);
      // While nobody watches: one object deleted, one added, one changed.
      yield* client.delete(META_ROUTER, { namespace: ns, name: "removed" });
      yield* client.apply(metaRouter(ns, "added", "a"));
      yield* client.apply(metaRouter(ns, "kept", "b"));
      // Resuming from a resourceVersion older than the API server keeps (as after a
      // compaction) is answered with 410 Gone; the watcher relists.
      const second = yield* watchIntoStore(ns, store, "1");
      const seen = [yield* second.next, yield* second.next, yield* second.next].sort();
      assert.deepEqual(seen, ["Added added", "Deleted removed", "Updated kept"]);
      assert.equal(second.lists.gone, 1);
      assert.equal(second.lists.count, 1);
      // And the watch after the relist goes on.
      yield* client.apply(metaRouter(ns, "later", "a"));
      assert.equal(yield* second.next, "Added later");
      yield* Fiber.interrupt(second.fiber);
      assert.deepEqual(store.list(META_ROUTER).map((o) => o.metadata.name), [
        "added",
        "kept",
        "later",
      ]);
    })),
});
