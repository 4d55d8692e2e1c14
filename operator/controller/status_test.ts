import assert from "node:assert/strict";
import { Effect } from "effect";
import type { GeneratedObject } from "../generate/mod.ts";
import { KubeApiError, type KubeClientShape, type KubeObject } from "../kube/mod.ts";
import { makeOperatorMetrics } from "../metrics/mod.ts";
import type { ReconcileReport } from "./controller.ts";
import { StatusWriter } from "./status.ts";

const SOURCE = "ServiceEntry/demo/thrift";
const EF: GeneratedObject = {
  apiVersion: "networking.istio.io/v1alpha3",
  kind: "EnvoyFilter",
  metadata: { namespace: "istio-system", name: "aeraki-thrift", labels: {} },
  spec: {},
};

const router: KubeObject = {
  apiVersion: "metaprotocol.aeraki.io/v1alpha1",
  kind: "MetaRouter",
  metadata: { namespace: "demo", name: "r", uid: "u1", generation: 1 },
  spec: { hosts: ["thrift.demo.svc.cluster.local"] },
};

function report(over: Partial<ReconcileReport> = {}): ReconcileReport {
  return {
    applied: [],
    pruned: [],
    kept: [],
    problems: [],
    failed: [],
    held: new Map([[SOURCE, [EF]]]),
    sourcesOf: (o) => o === "MetaRouter/demo/r" ? [SOURCE] : [],
    ...over,
  };
}

/** A client that records status applies and Events, failing status writes while `failing`. */
function recorder() {
  const calls: string[] = [];
  const state = { failing: false };
  const client = {
    applyStatus: (o: { kind: string; status: unknown }) =>
      state.failing
        ? Effect.fail(new KubeApiError({ status: 500, reason: "InternalError", message: "boom" }))
        : Effect.sync(() => {
          const conditions = (o.status as { conditions: { type: string; status: string }[] })
            .conditions;
          calls.push(`status ${conditions.map((c) => `${c.type}=${c.status}`).join(" ")}`);
          return o as unknown as KubeObject;
        }),
    apply: (o: { kind: string; reason?: unknown }) =>
      Effect.sync(() => {
        calls.push(`${o.kind} ${o.reason}`);
        return o as unknown as KubeObject;
      }),
  } as unknown as KubeClientShape;
  return { calls, state, client };
}

Deno.test("StatusWriter.update() writes changed conditions once, with one Event per transition", async () => {
  const { calls, client } = recorder();
  const metrics = makeOperatorMetrics();
  const writer = new StatusWriter();
  const run = (r: ReconcileReport) =>
    Effect.runPromise(writer.update(r, [router], { client, metrics }));
  const applied = report({ applied: ["EnvoyFilter/istio-system/aeraki-thrift"] });
  assert.equal(await run(applied), 0);
  assert.deepEqual(calls.splice(0), ["status Accepted=True Programmed=True", "Event Programmed"]);
  // The same again (the watch has not brought the written status yet): nothing.
  assert.equal(await run(report()), 0);
  assert.deepEqual(calls.splice(0), []);
  const bad = report({
    problems: [{ object: "MetaRouter/demo/r", field: "spec.hosts", message: "Fix it" }],
    kept: [SOURCE],
  });
  await run(bad);
  assert.deepEqual(calls.splice(0), [
    "status Accepted=False Programmed=False",
    "Event Rejected",
    "Event LastGoodKept",
  ]);
  await run(bad);
  assert.deepEqual(calls.splice(0), []);
  assert.equal(metrics.writes.value({ operation: "status", result: "success" }), 2);
  assert.equal(metrics.writes.value({ operation: "event", result: "success" }), 3);
});

Deno.test("StatusWriter.update() reads the stored status after a restart and retries a failed write", async () => {
  const first = recorder();
  const metrics = makeOperatorMetrics();
  await Effect.runPromise(
    new StatusWriter().update(report(), [router], { client: first.client, metrics }),
  );
  const written = first.calls.length;
  assert.ok(written > 0);
  // What the API server now holds, as a restarted controller's store sees it.
  let stored: unknown;
  const capture = {
    ...first.client,
    applyStatus: (o: { status: unknown }) =>
      Effect.sync(() => (stored = o.status, o as unknown as KubeObject)),
  } as unknown as KubeClientShape;
  await Effect.runPromise(
    new StatusWriter().update(report(), [router], { client: capture, metrics }),
  );
  const restarted = recorder();
  await Effect.runPromise(
    new StatusWriter().update(report(), [{ ...router, status: stored }], {
      client: restarted.client,
      metrics,
    }),
  );
  assert.deepEqual(restarted.calls, []);
  // A failed status write records no Event and is retried by the next update.
  const flaky = recorder();
  const writer = new StatusWriter({ retries: 0 });
  flaky.state.failing = true;
  const failures = await Effect.runPromise(
    writer.update(report(), [router], { client: flaky.client, metrics }),
  );
  assert.equal(failures, 1);
  assert.deepEqual(flaky.calls, []);
  assert.equal(metrics.writes.value({ operation: "status", result: "failure" }), 1);
  flaky.state.failing = false;
  await Effect.runPromise(writer.update(report(), [router], { client: flaky.client, metrics }));
  assert.deepEqual(flaky.calls, ["status Accepted=True Programmed=True", "Event Programmed"]);
});

Deno.test("StatusWriter.update() of a namespace-scoped controller leaves other namespaces alone", async () => {
  const { calls, client } = recorder();
  const protocol: KubeObject = {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "ApplicationProtocol",
    metadata: { name: "trpc", uid: "u2", generation: 1 },
    spec: { protocol: "trpc" },
  };
  const writer = new StatusWriter({ namespace: "other" });
  await Effect.runPromise(
    writer.update(report(), [router, protocol], { client, metrics: makeOperatorMetrics() }),
  );
  assert.deepEqual(calls, []);
  await Effect.runPromise(
    new StatusWriter().update(report(), [protocol], { client, metrics: makeOperatorMetrics() }),
  );
  assert.deepEqual(calls, ["status Accepted=True Programmed=False", "Event NoService"]);
});
