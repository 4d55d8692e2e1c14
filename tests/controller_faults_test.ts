/**
 * The controller through the fault proxy against the real kube-apiserver (issue 9's fault
 * acceptance): after 409, 429 and 500 answers, dropped watches, 410 Gone and an API server
 * restart it converges to what `aeraki render` prints, writes nothing twice without need,
 * never writes an unlabelled object, and a restart with unchanged inputs writes nothing.
 */
import assert from "node:assert/strict";
import { Effect, Fiber } from "effect";
import { ENVOY_FILTER, kindPath } from "../operator/kube/mod.ts";
import { withFaultHarness } from "./_controller_fault_harness.ts";
import type { KubeFaultProxy } from "./kube_fault_proxy.ts";
import { kubeTest } from "./kube_env.ts";

Deno.test({
  name: "runController() converges through 409, 429 and 500 answers to its writes",
  ...kubeTest,
  fn: () =>
    withFaultHarness(({ proxy, round, dropGateway, converged, restartWritesNothing }) =>
      Effect.gen(function* () {
        proxy.inject({ method: "PATCH", path: "/envoyfilters/", times: 2, fault: { status: 409 } });
        proxy.inject({
          method: "PATCH",
          path: "/envoyfilters/",
          fault: { status: 429, retryAfterSeconds: 1 },
        });
        // More failures in a row than one reconcile retries: the next reconcile writes it.
        proxy.inject({
          method: "PATCH",
          path: "/virtualservices/",
          times: 6,
          fault: { status: 500 },
        });
        yield* round(1);
        yield* converged();
        proxy.inject({ method: "DELETE", times: 2, fault: { status: 500 } });
        yield* round(2);
        yield* converged();
        assert.equal(proxy.pendingFaults(), 0, "every fault was served");
        // The gateway's EnvoyFilter and VirtualService are pruned, through a failed delete.
        proxy.inject({ method: "DELETE", path: "/virtualservices/", fault: { status: 500 } });
        yield* dropGateway();
        yield* converged();
        assert.equal(proxy.pendingFaults(), 0, "the VirtualService delete was refused once");
        yield* restartWritesNothing();
      })
    ),
});

Deno.test({
  name:
    "runController() converges after its watches break mid-stream, and writes nothing twice while its EnvoyFilter watch lags",
  ...kubeTest,
  fn: () =>
    withFaultHarness(({ proxy, round, nudge, converged, matches, restartWritesNothing }) =>
      Effect.gen(function* () {
        yield* waitForWatches(proxy);
        assert.ok(proxy.cutWatches() > 2, "watches were open");
        yield* round(1);
        yield* converged();
        // The EnvoyFilter watch breaks silently (noticed only after 3 s of silence): the
        // controller's own writes of round 2 do not come back through it before the nudge.
        yield* waitForWatches(proxy);
        assert.equal(proxy.cutWatches({ path: "/envoyfilters" }), 1);
        yield* round(2);
        for (let i = 0; i < 100 && !(yield* matches()); i++) yield* Effect.sleep("50 millis");
        yield* nudge(10);
        yield* converged();
        yield* restartWritesNothing();
      })
    ),
});

Deno.test({
  name: "runController() relists after 410 Gone and converges through 429 and 500 on reads",
  ...kubeTest,
  fn: () =>
    withFaultHarness(({ proxy, round, converged, restartWritesNothing }) =>
      Effect.gen(function* () {
        yield* waitForWatches(proxy);
        proxy.inject({ watch: true, times: proxy.openWatches, fault: { gone: true } });
        proxy.cutWatches({ graceful: true });
        yield* round(1);
        yield* converged();
        assert.equal(proxy.pendingFaults(), 0, "every watch was answered 410 once");
        yield* waitForWatches(proxy);
        proxy.inject({ watch: true, times: 4, fault: { status: 429, retryAfterSeconds: 1 } });
        proxy.inject({ watch: true, times: 4, fault: { status: 500 } });
        proxy.inject({ method: "GET", watch: false, times: 3, fault: { status: 500 } });
        proxy.inject({ watch: true, times: 3, fault: { gone: true } });
        proxy.cutWatches({ graceful: true });
        yield* round(2);
        yield* converged();
        yield* restartWritesNothing();
      })
    ),
});

Deno.test({
  name:
    "runController() converges after API server restarts, one of them in the middle of its writes",
  ...kubeTest,
  fn: () =>
    withFaultHarness(({ proxy, round, converged, restartWritesNothing }) =>
      Effect.gen(function* () {
        yield* waitForWatches(proxy);
        const restart = yield* Effect.forkChild(Effect.promise(() => proxy.restart(1500)));
        yield* round(1);
        yield* Fiber.join(restart);
        yield* converged();
        // Down as soon as the first write of the next round arrives.
        const mark = proxy.log.mark();
        yield* round(2);
        for (let i = 0; i < 300 && proxy.log.since(mark).length === 0; i++) {
          yield* Effect.sleep("10 millis");
        }
        assert.ok(proxy.log.since(mark).length > 0, "the controller never wrote round 2");
        yield* Effect.promise(() => proxy.restart(1500));
        yield* converged();
        yield* restartWritesNothing();
      })
    ),
});

Deno.test({
  name:
    "runController() takes back a field another manager changed in its EnvoyFilter (server-side apply with force)",
  ...kubeTest,
  fn: () =>
    withFaultHarness(({ proxy, direct, namespace, converged, restartWritesNothing }) =>
      Effect.gen(function* () {
        const ours = (yield* direct.list(ENVOY_FILTER, {
          namespace,
          labelSelector: "manager=Aeraki",
        })).items[0];
        const path = kindPath(ENVOY_FILTER, ours.metadata);
        proxy.log.external(path);
        // The intruder forces its own value of a field the controller owns.
        yield* direct.apply({
          apiVersion: ours.apiVersion,
          kind: ours.kind,
          metadata: { namespace, name: ours.metadata.name },
          spec: { configPatches: [] },
        }, { fieldManager: "intruder", force: true });
        yield* converged();
        const now = yield* direct.get(ENVOY_FILTER, ours.metadata);
        const managers = (now.metadata.managedFields as { manager: string }[]).map((f) =>
          f.manager
        );
        assert.deepEqual(managers, ["aeraki"], "the controller owns every field again");
        const applies = proxy.log.since().filter((r) => r.path === path && r.method === "PATCH");
        assert.equal(applies.length, 2, "one apply made it, one took the field back");
        yield* restartWritesNothing();
      })
    ),
});

function waitForWatches(proxy: KubeFaultProxy) {
  return Effect.gen(function* () {
    // Every input kind and both written kinds are watched.
    for (let i = 0; i < 300 && proxy.openWatches < 13; i++) yield* Effect.sleep("100 millis");
    assert.ok(proxy.openWatches >= 13, `only ${proxy.openWatches} watches are open`);
  });
}
