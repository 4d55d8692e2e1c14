/**
 * Leader election against the real kube-apiserver (`_tools/kube_env.sh`): two electors in one
 * process campaign for one Lease with short timings. Time is real here, so assertions are about
 * order and the Lease's record, never about elapsed wall-clock time; waits only guard hangs.
 */
import assert from "node:assert/strict";
import { Context, Effect, Exit, Layer, Scope, SubscriptionRef } from "effect";
import {
  LEADER_LEASE_NAME,
  LeaderElector,
  leaderElectorLayer,
  type LeaderElectorShape,
} from "../operator/leader/elector.ts";
import { LeaseStore, leaseStoreLayer } from "../operator/leader/lease_store.ts";
import { freshNamespace, kubeTest, runKube } from "./kube_env.ts";

const TIMING = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };

interface Replica {
  readonly elector: LeaderElectorShape;
  readonly scope: Scope.Closeable;
}

function replica(namespace: string, identity: string, releaseOnCancel = true) {
  return Effect.gen(function* () {
    const scope = yield* Scope.make();
    const layer = Layer.provide(
      leaderElectorLayer({ namespace, identity, releaseOnCancel, ...TIMING }),
      leaseStoreLayer,
    );
    const context = yield* Layer.buildWithScope(layer, scope);
    return { elector: Context.get(context, LeaderElector), scope } satisfies Replica;
  });
}

/** Samples both replicas every 50 ms until `done` holds, failing if both ever lead. */
function watchPair(a: Replica, b: Replica, done: (a: boolean, b: boolean) => boolean) {
  return Effect.gen(function* () {
    for (let i = 0; i < 600; i++) {
      const la = yield* SubscriptionRef.get(a.elector.isLeader);
      const lb = yield* SubscriptionRef.get(b.elector.isLeader);
      assert.ok(!(la && lb), "two replicas lead at once");
      if (done(la, lb)) return;
      yield* Effect.sleep("50 millis");
    }
    assert.fail("the election did not settle within 30 s");
  });
}

function lease(namespace: string) {
  return Effect.flatMap(LeaseStore, (s) => s.get({ namespace, name: LEADER_LEASE_NAME })).pipe(
    Effect.map((l) => l!),
    Effect.provide(leaseStoreLayer),
  );
}

function scenario(releaseOnCancel: boolean) {
  return Effect.gen(function* () {
    const ns = yield* freshNamespace("leader");
    const a = yield* replica(ns, "replica-a", releaseOnCancel);
    const b = yield* replica(ns, "replica-b", releaseOnCancel);
    yield* watchPair(a, b, (la, lb) => la || lb);
    const [first, second] = (yield* SubscriptionRef.get(a.elector.isLeader)) ? [a, b] : [b, a];
    yield* watchPair(a, b, () => false).pipe(Effect.timeoutOption("3 seconds")); // steady state
    assert.equal(yield* SubscriptionRef.get(first.elector.isLeader), true);
    const before = yield* lease(ns);
    assert.equal(before.record.holderIdentity, first.elector.identity);
    yield* Scope.close(first.scope, Exit.void);
    const afterStop = yield* lease(ns);
    yield* watchPair(first, second, (_, l2) => l2);
    const after = yield* lease(ns);
    yield* Scope.close(second.scope, Exit.void);
    return { first, second, before, afterStop, after };
  });
}

Deno.test({
  name:
    "leaderElectorLayer() on a real API server: one of two leads; killed, the other takes over once the lease expires",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      const { second, afterStop, after } = yield* scenario(false);
      assert.notEqual(afterStop.record.holderIdentity, "", "a killed leader releases nothing");
      assert.equal(after.record.holderIdentity, second.elector.identity);
      assert.equal(after.record.leaseTransitions, afterStop.record.leaseTransitions + 1);
      assert.ok(
        after.record.acquireTime >= afterStop.record.renewTime + TIMING.leaseDurationSeconds * 1000,
        "the successor waited out the dead leader's lease",
      );
    })),
});

Deno.test({
  name:
    "leaderElectorLayer() on a real API server: a released lease is taken at the successor's next try",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      const { second, afterStop, after } = yield* scenario(true);
      assert.equal(afterStop.record.holderIdentity, "", "a stopped leader released the lease");
      assert.equal(after.record.holderIdentity, second.elector.identity);
      assert.ok(
        after.record.acquireTime < afterStop.record.renewTime + TIMING.leaseDurationSeconds * 1000,
        "the successor did not wait out the lease",
      );
    })),
});

Deno.test({
  name:
    "leaseStoreLayer() on a real API server: an update naming a stale resourceVersion gets a conflict",
  ...kubeTest,
  fn: () =>
    runKube(Effect.gen(function* () {
      const namespace = yield* freshNamespace("lease");
      const ref = { namespace, name: LEADER_LEASE_NAME };
      const store = yield* Effect.provide(Effect.map(LeaseStore, (s) => s), leaseStoreLayer);
      const record = {
        holderIdentity: "x",
        leaseDurationSeconds: 15,
        acquireTime: 1_000,
        renewTime: 1_000,
        leaseTransitions: 0,
      };
      const created = yield* store.create(ref, record);
      assert.deepEqual((yield* store.get(ref))!.record, record);
      yield* store.update(ref, {
        record: { ...record, renewTime: 2_000 },
        resourceVersion: created.resourceVersion,
      });
      const stale = yield* Effect.flip(
        store.update(ref, {
          record: { ...record, holderIdentity: "y" },
          resourceVersion: created.resourceVersion,
        }),
      );
      assert.equal(stale._tag, "KubeConflictError");
      assert.equal((yield* store.get(ref))!.record.holderIdentity, "x");
    })),
});
