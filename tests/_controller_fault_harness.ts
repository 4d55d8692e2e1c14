/**
 * The harness of the controller fault tests: a fresh namespace on the real API server, the
 * fault proxy in front of it, the controller running through the proxy, and a workload of
 * ServiceEntries, MetaRouters and a Gateway written straight to the API server (not through
 * the proxy, so every write the proxy sees is the controller's). `converged` waits until the
 * labelled EnvoyFilters and VirtualServices equal what `aeraki render` prints for the current
 * inputs and then checks the write log: nothing written twice without need, foreign
 * (unlabelled) objects never written.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Effect, Fiber, Layer } from "effect";
import { type ReconcileReport, runController } from "../operator/controller/mod.ts";
import {
  ENVOY_FILTER,
  kindPath,
  KubeClient,
  type KubeClientShape,
  VIRTUAL_SERVICE,
} from "../operator/kube/mod.ts";
import { kubeClientLayer } from "../operator/kube/client_live.ts";
import { type KubeFaultProxy, startKubeFaultProxy } from "./kube_fault_proxy.ts";
import { freshNamespace, installCrds, runKube } from "./kube_env.ts";
import {
  byRef,
  comparable,
  FaultWorkload,
  foreignObjects,
  gateway,
  kindOf,
} from "./_controller_fault_workload.ts";

/** What a fault test works with. */
export interface FaultHarness {
  readonly proxy: KubeFaultProxy;
  /** A client straight to the API server. */
  readonly direct: KubeClientShape;
  readonly namespace: string;
  /** Every reconcile report of the running controller. */
  readonly reports: ReconcileReport[];
  /** Round `n` of input changes: MetaRouters changed, a service added, last round's removed. */
  readonly round: (n: number) => Effect.Effect<void, unknown>;
  /** Deletes the gateway (its EnvoyFilter and VirtualService are to be pruned). */
  readonly dropGateway: () => Effect.Effect<void, unknown>;
  /** A small change: only service `svc-b`'s MetaRouter weights (`n`% to v1). */
  readonly nudge: (n: number) => Effect.Effect<void, unknown>;
  /** Waits until the stored objects equal render's for the inputs; checks the write log. */
  readonly converged: () => Effect.Effect<void, unknown>;
  /** Whether the stored objects equal render's now. */
  readonly matches: () => Effect.Effect<boolean, unknown>;
  /** Restarts the controller with unchanged inputs: it must write nothing at all. */
  readonly restartWritesNothing: () => Effect.Effect<void, unknown>;
}

const CONTROLLER = {
  routes: "inline" as const,
  // Short, so that a watch broken mid-stream is noticed within the test.
  watch: {
    inactivityMs: 3_000,
    backoff: { base: "100 millis" as const, max: "1 second" as const },
  },
};

/** Runs `body` with a harness whose first inputs have converged. */
export function withFaultHarness(body: (h: FaultHarness) => Effect.Effect<void, unknown>) {
  return runKube(Effect.scoped(Effect.gen(function* () {
    yield* installCrds();
    const dir = yield* Effect.promise(() => Deno.makeTempDir({ prefix: "controller-faults-" }));
    const proxy = yield* Effect.acquireRelease(
      Effect.promise(() => startKubeFaultProxy(Deno.env.get("AERAKI_KUBECONFIG")!, { dir })),
      (p) => Effect.promise(() => p.close()),
    );
    const direct = yield* KubeClient;
    const proxied = yield* Effect.provide(
      Effect.map(KubeClient, (c) => c),
      kubeClientLayer({ kubeconfig: proxy.kubeconfig }),
    );
    const namespace = yield* freshNamespace("faults");
    const workload = new FaultWorkload(direct, namespace);
    yield* workload.setUp();
    const reports: ReconcileReport[] = [];
    const scope = yield* Effect.scope;
    const start = () =>
      Effect.forkIn(
        runController({
          ...CONTROLLER,
          namespace,
          rootNamespace: namespace,
          onReconcile: (r) => Effect.sync(() => void reports.push(r)),
        }).pipe(Effect.provide(Layer.succeed(KubeClient, proxied))),
        scope,
      );
    let controller = yield* start();
    const checks = convergence(direct, workload, proxy);
    const restartWritesNothing = () =>
      Effect.gen(function* () {
        yield* Fiber.interrupt(controller);
        const mark = proxy.log.mark();
        const seen = reports.length;
        controller = yield* start();
        for (let i = 0; i < 300 && reports.length === seen; i++) yield* Effect.sleep("100 millis");
        assert.ok(reports.length > seen, "the restarted controller never reconciled");
        const writes = proxy.log.since(mark).map((r) => `${r.method} ${r.path}`);
        assert.deepEqual(writes, [], "the restart with unchanged inputs wrote");
      });
    yield* checks.converged();
    assert.deepEqual(
      [...new Set(workload.expected().map((o) => o.kind))],
      ["EnvoyFilter", "VirtualService"],
      "the workload generates EnvoyFilters and a gateway VirtualService",
    );
    yield* body({
      proxy,
      direct,
      namespace,
      reports,
      round: (n) => workload.round(n),
      nudge: (n) => workload.nudge(n),
      dropGateway: () => workload.remove(gateway(namespace)),
      ...checks,
      restartWritesNothing,
    });
  })));
}

/** Whether the stored objects equal render's, and the wait for it with the write-log checks. */
function convergence(direct: KubeClientShape, workload: FaultWorkload, proxy: KubeFaultProxy) {
  const select = { namespace: workload.namespace, labelSelector: "manager=Aeraki" };
  const stored = Effect.gen(function* () {
    const efs = yield* direct.list(ENVOY_FILTER, select);
    const vss = yield* direct.list(VIRTUAL_SERVICE, select);
    return [...efs.items, ...vss.items].map(comparable).sort(byRef);
  });
  const matches = () => Effect.map(stored, (s) => isDeepEqual(s, workload.expected()));
  const converged = () =>
    Effect.gen(function* () {
      for (let i = 0; i < 300 && !(yield* matches()); i++) yield* Effect.sleep("100 millis");
      assert.deepEqual(yield* stored, workload.expected(), "the controller did not converge");
      yield* untouched(direct, workload.namespace, proxy);
      assert.deepEqual(proxy.log.duplicates().map((r) => `${r.method} ${r.path}`), []);
    });
  return { matches, converged };
}

/** The foreign (unlabelled) objects are as their owner wrote them and were never written to. */
function untouched(direct: KubeClientShape, namespace: string, proxy: KubeFaultProxy) {
  return Effect.gen(function* () {
    for (const o of foreignObjects(namespace)) {
      const now = yield* direct.get(kindOf(o), o.metadata);
      const managers = (now.metadata.managedFields as { manager: string }[]).map((f) => f.manager);
      assert.deepEqual(managers, ["someone-else"], `${o.kind} "${o.metadata.name}" was written`);
      const path = kindPath(kindOf(o), o.metadata);
      assert.equal(proxy.log.countByPath().get(path), undefined, `${path} got write requests`);
    }
  });
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
