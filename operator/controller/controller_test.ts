// End to end against the real kube-apiserver of `_tools/kube_env.sh`: what the controller
// stores is what `aeraki render` prints for the same objects.
import assert from "node:assert/strict";
import { Effect, Fiber, Schedule } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { renderObjects } from "../cli/render.ts";
import { ENVOY_FILTER, KubeClient, type KubeObject, META_ROUTER } from "../kube/mod.ts";
import { type ReconcileReport, runController } from "./controller.ts";

function serviceEntry(ns: string): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { namespace: ns, name: "thrift-sample-server" },
    spec: {
      hosts: [`thrift-sample-server.${ns}.svc.cluster.local`],
      addresses: ["240.240.0.10"],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-hello-server", protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      endpoints: [{ address: "10.1.0.5", labels: { version: "v1" } }],
    },
  };
}

function metaRouter(ns: string, weights: [number, number]): KubeObject {
  const host = `thrift-sample-server.${ns}.svc.cluster.local`;
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name: "test-metaprotocol-thrift-route" },
    spec: {
      hosts: [host],
      routes: [{
        name: "traffic-split",
        match: { attributes: { method: { exact: "sayHello" } } },
        route: [
          { destination: { host, subset: "v1" }, weight: weights[0] },
          { destination: { host, subset: "v2" }, weight: weights[1] },
        ],
      }],
    },
  };
}

/** The EnvoyFilters `aeraki render` prints for `objects` (routes inline, root namespace `ns`). */
function rendered(objects: KubeObject[], ns: string) {
  return renderObjects(objects, { rootNamespace: ns, routes: "inline" }).output.envoyFilters.map(
    comparable,
  );
}

function comparable(
  o: { metadata: { name: string; namespace?: string; labels?: object }; spec?: unknown },
) {
  return {
    name: o.metadata.name,
    namespace: o.metadata.namespace,
    labels: o.metadata.labels,
    spec: o.spec,
  };
}

/** Waits (polling the API server) until its labelled EnvoyFilters in `ns` equal `expected`. */
function converges(ns: string, expected: unknown[]) {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    let last: unknown = undefined;
    const check = Effect.gen(function* () {
      const list = yield* client.list(ENVOY_FILTER, {
        namespace: ns,
        labelSelector: "manager=Aeraki",
      });
      last = list.items.map(comparable);
      try {
        assert.deepEqual(last, expected);
      } catch {
        return yield* Effect.fail("not yet" as const);
      }
    });
    yield* check.pipe(
      Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 200 }))),
      Effect.catch(() =>
        Effect.sync(() =>
          assert.deepEqual(last, expected, "the controller did not converge in 20 s")
        )
      ),
    );
  });
}

/** Starts a controller, returns its first reconcile report and stops it. */
function restartAndReport(ns: string) {
  return Effect.gen(function* () {
    const reports: ReconcileReport[] = [];
    const fiber = yield* Effect.forkChild(runController({
      rootNamespace: ns,
      namespace: ns,
      routes: "inline",
      onReconcile: (r) => Effect.sync(() => reports.push(r)),
    }));
    yield* Effect.suspend(() => reports.length > 0 ? Effect.void : Effect.fail("not yet")).pipe(
      Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 200 }))),
      Effect.orDie,
    );
    yield* Fiber.interrupt(fiber);
    return reports[0];
  });
}

Deno.test({
  name:
    "runController() stores the EnvoyFilters aeraki render prints, keeps them when a MetaRouter goes bad, prunes only its own, writes nothing on restart",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("controller");
      const client = yield* KubeClient;
      const foreign: KubeObject = {
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "EnvoyFilter",
        metadata: { namespace: ns, name: "someone-elses" },
        spec: { configPatches: [] },
      };
      yield* client.apply(foreign, { fieldManager: "someone-else" });
      const reports: ReconcileReport[] = [];
      const fiber = yield* Effect.forkChild(runController({
        rootNamespace: ns,
        namespace: ns,
        routes: "inline",
        onReconcile: (r) => Effect.sync(() => reports.push(r)),
      }));
      const se = serviceEntry(ns);
      const good = metaRouter(ns, [20, 80]);
      yield* client.apply(se);
      yield* client.apply(good);
      const expected = rendered([se, good], ns);
      assert.ok(expected.length > 0, "render printed no EnvoyFilter for the fixture");
      yield* converges(ns, expected);

      const changed = metaRouter(ns, [50, 50]);
      yield* client.apply(changed);
      const expectedChanged = rendered([se, changed], ns);
      assert.notDeepEqual(expectedChanged, expected);
      yield* converges(ns, expectedChanged);

      // Weights that do not add up to 100 pass the CRD schema (the webhook would refuse them):
      // the service keeps its last good EnvoyFilters.
      yield* client.apply(metaRouter(ns, [50, 20]));
      const source = `ServiceEntry/${ns}/thrift-sample-server`;
      yield* Effect.suspend(() =>
        reports.some((r) =>
            r.kept.includes(source) && r.problems.some((p) => p.object.startsWith("MetaRouter/"))
          )
          ? Effect.void
          : Effect.fail("not yet")
      ).pipe(
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 200 }))),
        Effect.orDie,
      );
      yield* converges(ns, expectedChanged);
      // Restarted while the MetaRouter is still bad: the stored filters stay as they are.
      yield* Fiber.interrupt(fiber);
      const whileBad = yield* restartAndReport(ns);
      assert.deepEqual([whileBad.applied, whileBad.pruned], [[], []]);
      assert.deepEqual(whileBad.kept, [source]);
      yield* converges(ns, expectedChanged);
      const second = yield* Effect.forkChild(
        runController({ rootNamespace: ns, namespace: ns, routes: "inline" }),
      );

      // Without a MetaRouter the service still gets its default filters; stale ones are pruned.
      yield* client.delete(META_ROUTER, { namespace: ns, name: "test-metaprotocol-thrift-route" });
      yield* converges(ns, rendered([se], ns));
      // The foreign (unlabelled) EnvoyFilter was never touched.
      const still = yield* client.get(ENVOY_FILTER, { namespace: ns, name: "someone-elses" });
      const managers = (still.metadata.managedFields as { manager: string }[]).map((f) =>
        f.manager
      );
      assert.deepEqual(managers, ["someone-else"]);
      yield* Fiber.interrupt(second);
      // A restart with unchanged inputs writes nothing.
      const after = yield* restartAndReport(ns);
      assert.deepEqual([after.applied, after.pruned, after.failed], [[], [], []]);
    })),
});
