// End to end against the real kube-apiserver of `_tools/kube_env.sh`: the controller writes
// Accepted and Programmed conditions and Events on MetaRouters, with the words `aeraki
// validate` prints, and writes neither again when it restarts with unchanged inputs.
import assert from "node:assert/strict";
import { Effect, Fiber, Schedule } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { validateText } from "../cli/validate.ts";
import {
  ENVOY_FILTER,
  KubeClient,
  type KubeKind,
  type KubeObject,
  META_ROUTER,
} from "../kube/mod.ts";
import { makeOperatorMetrics, OperatorMetrics, type OperatorMetricsShape } from "../metrics/mod.ts";
import type { Condition } from "./conditions.ts";
import { type ReconcileReport, runController } from "./controller.ts";

const EVENT: KubeKind = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  namespaced: true,
};

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

function metaRouter(ns: string, name: string, host: string, weights: [number, number]) {
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name },
    spec: {
      hosts: [host],
      routes: [{
        name: "traffic-split",
        route: [
          { destination: { host, subset: "v1" }, weight: weights[0] },
          { destination: { host, subset: "v2" }, weight: weights[1] },
        ],
      }],
    },
  } satisfies KubeObject;
}

/** What `aeraki validate` prints after the object's name for `object`. */
function validateWords(object: KubeObject): string {
  let out = "";
  const io = { out: (t: string) => void (out += t), err: () => {}, stdin: () => Promise.reject() };
  const yaml = JSON.stringify(object);
  validateText("mr.yaml", yaml, io, { files: 0, objects: 0, problems: 0, warnings: 0, skipped: 0 });
  const ref = `MetaRouter/${object.metadata.namespace}/${object.metadata.name}: `;
  const line = out.split("\n").find((l) => l.includes(ref));
  assert.ok(line, `aeraki validate found no problem in the fixture: ${out}`);
  return line.slice(line.indexOf(ref) + ref.length);
}

function conditionsOf(o: KubeObject): Record<string, Condition> {
  const list = ((o.status ?? {}) as { conditions?: Condition[] }).conditions ?? [];
  return Object.fromEntries(list.map((c) => [c.type, c]));
}

/** Polls `name` until `check` accepts its conditions; returns the object. */
function until(ns: string, name: string, check: (c: Record<string, Condition>) => boolean) {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    let last: unknown;
    return yield* client.get(META_ROUTER, { namespace: ns, name }).pipe(
      Effect.flatMap((o) => {
        last = o.status;
        return check(conditionsOf(o)) ? Effect.succeed(o) : Effect.fail("not yet" as const);
      }),
      Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 200 }))),
      Effect.catch(() =>
        Effect.die(`MetaRouter "${name}" never got the conditions: ${JSON.stringify(last)}`)
      ),
    );
  });
}

function eventsOf(ns: string, name: string) {
  return Effect.gen(function* () {
    const list = yield* (yield* KubeClient).list(EVENT, { namespace: ns });
    return list.items
      .filter((e) => (e.involvedObject as { name: string }).name === name)
      .map((e) => `${e.type} ${e.reason}: ${e.message}`)
      .sort();
  });
}

/** Runs a controller until its first reconcile (status and Events included) is reported. */
function firstReconcile(ns: string, metrics: OperatorMetricsShape) {
  return Effect.gen(function* () {
    const reports: ReconcileReport[] = [];
    const fiber = yield* Effect.forkChild(
      runController({
        rootNamespace: ns,
        namespace: ns,
        routes: "inline",
        onReconcile: (r) => Effect.sync(() => reports.push(r)),
      }).pipe(Effect.provideService(OperatorMetrics, metrics)),
    );
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
    "runController() writes Accepted and Programmed conditions and Events on transitions, and none on restart",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      yield* installCrds();
      const ns = yield* freshNamespace("status");
      const client = yield* KubeClient;
      const host = `thrift-sample-server.${ns}.svc.cluster.local`;
      const metrics = makeOperatorMetrics();
      const fiber = yield* Effect.forkChild(
        runController({
          rootNamespace: ns,
          namespace: ns,
          routes: "inline",
          status: { instance: "t" },
        })
          .pipe(Effect.provideService(OperatorMetrics, metrics)),
      );
      yield* client.apply(serviceEntry(ns));
      // The service's default EnvoyFilter first, so the MetaRouter never sees it missing.
      yield* client.list(ENVOY_FILTER, { namespace: ns }).pipe(
        Effect.flatMap((l) => l.items.length === 1 ? Effect.void : Effect.fail("not yet" as const)),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 200 }))),
        Effect.orDie,
      );
      yield* client.apply(metaRouter(ns, "route", host, [20, 80]));
      yield* client.apply(metaRouter(ns, "nowhere", `nothing.${ns}.svc.cluster.local`, [20, 80]));
      const good = yield* until(ns, "route", (c) => c.Programmed?.status === "True");
      const efs = (yield* client.list(ENVOY_FILTER, { namespace: ns })).items;
      assert.equal(efs.length, 1);
      const ef = `${ns}/${efs[0].metadata.name}`;
      const goodConditions = conditionsOf(good);
      assert.deepEqual(
        Object.values(goodConditions).map((c) => [c.type, c.status, c.reason, c.message]),
        [
          ["Accepted", "True", "Accepted", "Valid"],
          ["Programmed", "True", "Programmed", `EnvoyFilter ${ef} applied`],
        ],
      );
      assert.equal(goodConditions.Accepted.observedGeneration, good.metadata.generation);
      // A MetaRouter for a host no service has is valid but programs nothing.
      const nowhere = yield* until(ns, "nowhere", (c) => c.Programmed?.status === "False");
      assert.equal(conditionsOf(nowhere).Programmed.reason, "NoService");

      // Weights that do not add up to 100 pass the CRD schema (the webhook would refuse them).
      const bad = metaRouter(ns, "route", host, [50, 20]);
      yield* client.apply(bad);
      const rejected = yield* until(ns, "route", (c) => c.Accepted?.status === "False");
      const c = conditionsOf(rejected);
      assert.deepEqual([c.Accepted.reason, c.Accepted.message], ["Invalid", validateWords(bad)]);
      assert.equal(c.Accepted.observedGeneration, rejected.metadata.generation);
      assert.notEqual(c.Accepted.observedGeneration, good.metadata.generation);
      assert.equal(c.Programmed.status, "False");
      assert.equal(c.Programmed.reason, "LastGoodKept");
      assert.match(c.Programmed.message, new RegExp(`keeps EnvoyFilter ${ef} until`));
      // The service kept its last good EnvoyFilter.
      const kept = (yield* client.list(ENVOY_FILTER, { namespace: ns })).items;
      assert.deepEqual(
        kept.map((o) => [o.metadata.name, o.spec]),
        efs.map((o) => [o.metadata.name, o.spec]),
      );

      yield* client.apply(metaRouter(ns, "route", host, [50, 50]));
      const fixed = yield* until(ns, "route", (c) =>
        c.Accepted?.status === "True" && c.Programmed?.status === "True");
      const after = conditionsOf(fixed);
      assert.notEqual(after.Accepted.lastTransitionTime, undefined);
      // The Events follow the status write that records their transition.
      const expectedEvents = [
        `Normal Accepted: Valid`,
        `Normal Programmed: EnvoyFilter ${ef} applied`,
        `Normal Programmed: EnvoyFilter ${ef} applied`,
        `Warning LastGoodKept: ${c.Programmed.message}`,
        `Warning Rejected: ${c.Accepted.message}`,
      ];
      let events: string[] = [];
      yield* Effect.suspend(() =>
        eventsOf(ns, "route")
      ).pipe(
        Effect.flatMap((e) => {
          events = e;
          return e.length < expectedEvents.length ? Effect.fail("not yet" as const) : Effect.void;
        }),
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 100 }))),
        Effect.ignore,
      );
      assert.deepEqual(events, expectedEvents);
      yield* Fiber.interrupt(fiber);

      // A restart with unchanged inputs writes no status and no Event.
      const before = yield* client.get(META_ROUTER, { namespace: ns, name: "route" });
      const eventsBefore = yield* eventsOf(ns, "route");
      const restarted = makeOperatorMetrics();
      const report = yield* firstReconcile(ns, restarted);
      assert.deepEqual([report.applied, report.pruned, report.kept], [[], [], []]);
      for (const operation of ["apply", "prune", "status", "event"]) {
        assert.equal(restarted.writes.value({ operation, result: "success" }), 0, operation);
      }
      const still = yield* client.get(META_ROUTER, { namespace: ns, name: "route" });
      assert.equal(still.metadata.resourceVersion, before.metadata.resourceVersion);
      assert.deepEqual(yield* eventsOf(ns, "route"), eventsBefore);
      // What the first controller recorded.
      assert.ok(metrics.writes.value({ operation: "status", result: "success" }) >= 4);
      assert.ok(metrics.reconciles.value({ result: "success" }) >= 3);
    })),
});
