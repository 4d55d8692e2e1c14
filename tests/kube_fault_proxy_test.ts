/**
 * The fault proxy against the real kube-apiserver, proved with operator/kube's watcher: after
 * each injected fault the watcher's store converges to the server's objects, and no event is
 * lost or delivered twice.
 */
import assert from "node:assert/strict";
import { Effect, Fiber, Layer } from "effect";
import { KubeClient, type KubeClientShape } from "../operator/kube/client.ts";
import { kubeClientLayer } from "../operator/kube/client_live.ts";
import { CONFIG_MAP } from "../operator/kube/kinds.ts";
import { KubeStore, type StoreChange } from "../operator/kube/store.ts";
import { runWatcher } from "../operator/kube/watcher.ts";
import { type KubeFaultProxy, startKubeFaultProxy } from "./kube_fault_proxy.ts";
import { freshNamespace, kubeTest, runKube } from "./kube_env.ts";

interface Harness {
  readonly proxy: KubeFaultProxy;
  readonly direct: KubeClientShape;
  readonly proxied: KubeClientShape;
  readonly namespace: string;
  /** Creates, updates and deletes a few ConfigMaps straight on the API server. */
  readonly churn: (round: string) => Effect.Effect<void, unknown>;
  /** Waits until the watcher's store equals the server's ConfigMaps; checks the changes. */
  readonly converged: () => Effect.Effect<void, unknown>;
}

function withHarness(body: (h: Harness) => Effect.Effect<void, unknown>) {
  return runKube(
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => Deno.makeTempDir({ prefix: "fault-proxy-" }));
      const proxy = yield* Effect.acquireRelease(
        Effect.promise(() => startKubeFaultProxy(Deno.env.get("AERAKI_KUBECONFIG")!, { dir })),
        (p) => Effect.promise(() => p.close()),
      );
      const direct = yield* KubeClient;
      const proxied = yield* Effect.provide(
        Effect.map(KubeClient, (c) => c),
        kubeClientLayer({ kubeconfig: proxy.kubeconfig }),
      );
      const namespace = yield* freshNamespace("fault");
      const store = new KubeStore();
      const changes: StoreChange[] = [];
      yield* Effect.forkScoped(
        runWatcher(CONFIG_MAP, {
          namespace,
          onError: (e) => Effect.logWarning(e.message),
          backoff: { base: "100 millis", max: "1 second" },
          // Short, so a watch broken mid-stream is noticed within the test.
          inactivityMs: 2_000,
          onEvent: (e) => Effect.sync(() => void changes.push(...store.apply(e))),
        }).pipe(Effect.provide(Layer.succeed(KubeClient, proxied))),
      );
      let seq = 0;
      const churn = (round: string) =>
        Effect.gen(function* () {
          for (let i = 0; i < 3; i++) {
            yield* direct.apply(configMap(namespace, `${round}-${i}`, { n: String(++seq) }));
          }
          yield* direct.apply(configMap(namespace, `${round}-0`, { n: String(++seq) }));
          yield* direct.delete(CONFIG_MAP, { namespace, name: `${round}-1` });
        });
      const converged = () =>
        Effect.gen(function* () {
          let server = new Map<string, string>();
          for (let i = 0; i < 300; i++) {
            server = versions((yield* direct.list(CONFIG_MAP, { namespace })).items);
            if (sameMap(server, versions(store.list(CONFIG_MAP)))) return checkChanges(changes);
            yield* Effect.sleep("100 millis");
          }
          const stored = JSON.stringify([...versions(store.list(CONFIG_MAP))]);
          assert.fail(
            `Store did not converge in 30 s: ${stored} vs ${JSON.stringify([...server])}`,
          );
        });
      yield* body({ proxy, direct, proxied, namespace, churn, converged });
    }).pipe(Effect.scoped),
  );
}

function configMap(namespace: string, name: string, data: Record<string, string>) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace, name }, data };
}

function versions(objects: readonly { metadata: { name?: string; resourceVersion?: string } }[]) {
  return new Map(objects.map((o) => [o.metadata.name ?? "", o.metadata.resourceVersion ?? ""]));
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** No version applied twice, no object deleted twice without coming back in between. */
function checkChanges(changes: readonly StoreChange[]): void {
  const seen = new Set<string>();
  const present = new Set<string>();
  for (const c of changes) {
    const name = c.object.metadata.name ?? "";
    if (c.type === "Deleted") {
      assert.ok(present.delete(name), `"${name}" deleted while absent`);
      continue;
    }
    const version = `${name}@${c.object.metadata.resourceVersion}`;
    assert.ok(!seen.has(version), `"${version}" delivered twice`);
    seen.add(version);
    present.add(name);
  }
}

const waitForWatch = (proxy: KubeFaultProxy) =>
  Effect.gen(function* () {
    for (let i = 0; i < 300 && proxy.openWatches === 0; i++) yield* Effect.sleep("100 millis");
    assert.ok(proxy.openWatches > 0, "the watcher never opened a watch through the proxy");
  });

// A watch whose connection breaks mid-stream reports nothing under Deno (@kubernetes/client-node's
// Watch neither ends nor fails); the client ends a watch after `inactivityMs` of silence, which
// these tests shorten, so the watcher re-watches and converges.

Deno.test({
  name: "KubeFaultProxy passes requests through, and the watcher converges after watches end",
  ...kubeTest,
  fn: () =>
    withHarness(({ proxy, churn, converged }) =>
      Effect.gen(function* () {
        yield* churn("a");
        yield* converged();
        yield* waitForWatch(proxy);
        assert.equal(proxy.cutWatches({ graceful: true }), 1);
        yield* churn("b");
        yield* converged();
      })
    ),
});

Deno.test({
  name: "KubeFaultProxy breaks watch connections mid-stream and the watcher converges",
  ...kubeTest,
  fn: () =>
    withHarness(({ proxy, churn, converged }) =>
      Effect.gen(function* () {
        yield* churn("a");
        yield* converged();
        yield* waitForWatch(proxy);
        assert.equal(proxy.cutWatches(), 1);
        yield* churn("b");
        yield* converged();
      })
    ),
});

Deno.test({
  name: "KubeFaultProxy answers a watch with 410 Gone and the watcher relists to converge",
  ...kubeTest,
  fn: () =>
    withHarness(({ proxy, churn, converged }) =>
      Effect.gen(function* () {
        yield* churn("a");
        yield* converged();
        yield* waitForWatch(proxy);
        proxy.inject({ watch: true, fault: { gone: true } });
        proxy.cutWatches({ graceful: true });
        yield* churn("b");
        yield* converged();
        assert.equal(proxy.pendingFaults(), 0, "the 410 was served");
      })
    ),
});

Deno.test({
  name:
    "KubeFaultProxy answers 429 and 500 to lists and watches; the watcher backs off and converges",
  ...kubeTest,
  fn: () =>
    withHarness(({ proxy, churn, converged }) =>
      Effect.gen(function* () {
        yield* churn("a");
        yield* converged();
        yield* waitForWatch(proxy);
        proxy.inject({ watch: true, fault: { status: 429, retryAfterSeconds: 1 } });
        proxy.inject({ watch: true, fault: { status: 500 } });
        proxy.cutWatches({ graceful: true });
        yield* churn("b");
        yield* converged();
        proxy.inject({ method: "GET", watch: false, times: 2, fault: { status: 500 } });
        proxy.inject({ watch: true, fault: { gone: true } });
        proxy.cutWatches({ graceful: true });
        yield* churn("c");
        yield* converged();
        assert.equal(proxy.pendingFaults(), 0, "every fault was served");
      })
    ),
});

Deno.test({
  name: "KubeFaultProxy acts like an API server restart; the watcher converges once it is back",
  ...kubeTest,
  fn: () =>
    withHarness(({ proxy, churn, converged }) =>
      Effect.gen(function* () {
        yield* churn("a");
        yield* converged();
        yield* waitForWatch(proxy);
        const restart = yield* Effect.forkChild(Effect.promise(() => proxy.restart(1500)));
        yield* churn("b");
        yield* Fiber.join(restart);
        yield* converged();
      })
    ),
});

Deno.test({
  name: "KubeFaultProxy answers writes with 409 and counts every write request per path",
  ...kubeTest,
  fn: () =>
    withHarness(({ proxy, proxied, namespace }) =>
      Effect.gen(function* () {
        const path = `/api/v1/namespaces/${namespace}/configmaps/x`;
        proxy.inject({ method: "PATCH", path, fault: { status: 409 } });
        const refused = yield* Effect.flip(proxied.apply(configMap(namespace, "x", { a: "1" })));
        assert.equal(refused._tag, "KubeConflictError");
        yield* proxied.apply(configMap(namespace, "x", { a: "1" }));
        yield* proxied.get(CONFIG_MAP, { namespace, name: "x" });
        assert.equal(proxy.writes().get(path), 2, "both PATCHes counted, the GET not");
        yield* proxied.delete(CONFIG_MAP, { namespace, name: "x" });
        assert.equal(proxy.writes().get(path), 3);
      })
    ),
});
