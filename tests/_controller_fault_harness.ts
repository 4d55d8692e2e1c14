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
import { renderObjects } from "../operator/cli/render.ts";
import { type ReconcileReport, runController } from "../operator/controller/mod.ts";
import {
  ENVOY_FILTER,
  kindPath,
  KubeClient,
  kubeClientLayer,
  type KubeClientShape,
  type KubeObject,
  VIRTUAL_SERVICE,
} from "../operator/kube/mod.ts";
import { type KubeFaultProxy, startKubeFaultProxy } from "./kube_fault_proxy.ts";
import { freshNamespace, installCrds, runKube } from "./kube_env.ts";
import { foreignObjects, gateway, metaRouter, serviceEntry } from "./_controller_fault_workload.ts";

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
      kubeClientLayer({
        kubeconfig: proxy.kubeconfig,
      }),
    );
    const namespace = yield* freshNamespace("faults");
    const inputs = new Map<string, KubeObject>();
    const put = (o: KubeObject) => Effect.map(direct.apply(o), () => void inputs.set(key(o), o));
    const remove = (o: KubeObject) =>
      Effect.map(direct.delete(kindOf(o), o.metadata), () => void inputs.delete(key(o)));
    for (const o of foreignObjects(namespace)) {
      yield* direct.apply(o, { fieldManager: "someone-else" });
      inputs.set(key(o), o);
    }
    yield* put(serviceEntry(namespace, "svc-a", 1));
    yield* put(metaRouter(namespace, "svc-a", [20, 80], { gateway: true }));
    yield* put(serviceEntry(namespace, "svc-b", 2));
    yield* put(metaRouter(namespace, "svc-b", [50, 50]));
    yield* put(gateway(namespace));

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

    const expected = () => {
      const out =
        renderObjects([...inputs.values()], { rootNamespace: namespace, routes: "inline" })
          .output;
      return [...out.envoyFilters, ...out.virtualServices].map(comparable).sort(byRef);
    };
    const stored = Effect.gen(function* () {
      const select = { namespace, labelSelector: "manager=Aeraki" };
      const efs = yield* direct.list(ENVOY_FILTER, select);
      const vss = yield* direct.list(VIRTUAL_SERVICE, select);
      return [...efs.items, ...vss.items].map(comparable).sort(byRef);
    });
    const matches = () => Effect.map(stored, (s) => isDeepEqual(s, expected()));
    const converged = () =>
      Effect.gen(function* () {
        for (let i = 0; i < 300 && !(yield* matches()); i++) yield* Effect.sleep("100 millis");
        assert.deepEqual(yield* stored, expected(), "the controller did not converge in 30 s");
        yield* untouched(direct, namespace, proxy);
        assert.deepEqual(proxy.log.duplicates().map((r) => `${r.method} ${r.path}`), []);
      });
    let gatewayOnB = false;
    const nudge = (n: number) =>
      Effect.asVoid(put(metaRouter(namespace, "svc-b", [n, 100 - n], { gateway: gatewayOnB })));
    const round = (n: number) =>
      Effect.gen(function* () {
        // The gateway moves between the two services, so its VirtualService changes too.
        const weight = (n * 10) % 100;
        yield* put(
          metaRouter(namespace, "svc-a", [weight, 100 - weight], { gateway: n % 2 === 0 }),
        );
        gatewayOnB = n % 2 === 1;
        yield* put(metaRouter(namespace, "svc-b", [50, 50], { gateway: gatewayOnB }));
        yield* put(serviceEntry(namespace, `svc-r${n}`, 10 + n));
        yield* put(metaRouter(namespace, `svc-r${n}`, [30, 70]));
        const last = [...inputs.values()].filter((o) => o.metadata.name === `svc-r${n - 1}`);
        for (const o of last) yield* remove(o);
      });
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

    yield* converged();
    assert.deepEqual(
      [...new Set(expected().map((o) => o.kind))],
      ["EnvoyFilter", "VirtualService"],
      "the workload generates EnvoyFilters and a gateway VirtualService",
    );
    yield* body({
      proxy,
      dropGateway: () => remove(gateway(namespace)),
      nudge,
      direct,
      namespace,
      reports,
      round,
      converged,
      matches,
      restartWritesNothing,
    });
  })));
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

function kindOf(o: KubeObject) {
  const kinds = {
    ServiceEntry: "serviceentries",
    MetaRouter: "metarouters",
    Gateway: "gateways",
    EnvoyFilter: "envoyfilters",
    VirtualService: "virtualservices",
  } as Record<string, string>;
  const [group, version] = o.apiVersion.split("/");
  return { group, version, kind: o.kind, plural: kinds[o.kind], namespaced: true };
}

function key(o: KubeObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

function comparable(
  o: {
    kind: string;
    metadata: { name: string; namespace?: string; labels?: object };
    spec?: unknown;
  },
) {
  const { kind, metadata: { name, namespace, labels }, spec } = o;
  return { kind, name, namespace, labels, spec };
}

function byRef(a: { kind: string; name: string }, b: { kind: string; name: string }): number {
  const ka = `${a.kind}/${a.name}`, kb = `${b.kind}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
