import assert from "node:assert/strict";
import { Clock, Context, Effect, Exit, Fiber, Layer, Scope, SubscriptionRef } from "effect";
import { TestClock } from "effect/testing";
import { KubeApiError } from "../kube/errors.ts";
import {
  LEADER_LEASE_NAME,
  type LeaderElectionOptions,
  LeaderElector,
  leaderElectorLayer,
} from "./elector.ts";
import { leaseStoreFake, type LeaseStoreShape, makeFakeLeaseStore } from "./lease_store.ts";

// Timing only, on an in-memory store with the API server's 409 semantics; the election against
// a real API server is tested in tests/leader_kube_test.ts. No jitter, so times are exact.
const ref = { namespace: "istio-system", name: LEADER_LEASE_NAME };

function elector(
  store: LeaseStoreShape,
  options: Partial<LeaderElectionOptions> & { identity: string },
) {
  return Effect.gen(function* () {
    const scope = yield* Scope.make();
    const layer = Layer.provide(
      leaderElectorLayer({ namespace: ref.namespace, jitter: 0, ...options }),
      leaseStoreFake(store),
    );
    const context = yield* Layer.buildWithScope(layer, scope);
    return { elector: Context.get(context, LeaderElector), scope };
  });
}

const leads = (e: { elector: { isLeader: SubscriptionRef.SubscriptionRef<boolean> } }) =>
  SubscriptionRef.get(e.elector.isLeader);

/** Advances the test clock one second at a time up to `seconds` since the epoch. */
function until(seconds: number) {
  return Effect.gen(function* () {
    while ((yield* Clock.currentTimeMillis) < seconds * 1000) yield* TestClock.adjust("1 second");
  });
}

function run<A, E>(body: Effect.Effect<A, E>): Promise<A> {
  return Effect.runPromise(Effect.provide(body, TestClock.layer()));
}

Deno.test("leaderElectorLayer() lets exactly one of two replicas lead, and keeps it leading", async () => {
  await run(Effect.gen(function* () {
    const store = makeFakeLeaseStore();
    const a = yield* elector(store, { identity: "a" });
    const b = yield* elector(store, { identity: "b" });
    yield* until(1);
    assert.deepEqual([yield* leads(a), yield* leads(b)], [true, false]);
    yield* until(60);
    assert.deepEqual([yield* leads(a), yield* leads(b)], [true, false]);
    const lease = (yield* store.get(ref))!;
    assert.equal(lease.record.holderIdentity, "a");
    assert.equal(lease.record.renewTime, 60_000, "renewed every retry period");
    assert.equal(lease.record.leaseTransitions, 0);
  }));
});

Deno.test("leaderElectorLayer() hands over within the lease duration when the leader dies without releasing", async () => {
  await run(Effect.gen(function* () {
    const store = makeFakeLeaseStore();
    const a = yield* elector(store, { identity: "a", releaseOnCancel: false });
    const b = yield* elector(store, { identity: "b" });
    yield* until(5);
    yield* Scope.close(a.scope, Exit.void); // last renewal at 4 s
    yield* until(18);
    assert.equal(yield* leads(b), false, "b waits out the lease from when it saw it change");
    yield* until(20);
    assert.equal(yield* leads(b), true, "b leads at its first try after 4 s + 15 s");
    const lease = (yield* store.get(ref))!;
    assert.equal(lease.record.holderIdentity, "b");
    assert.equal(lease.record.leaseTransitions, 1);
    assert.equal(lease.record.acquireTime, 20_000);
  }));
});

Deno.test("leaderElectorLayer() releases the lease on shutdown so the next replica leads at its next try", async () => {
  await run(Effect.gen(function* () {
    const store = makeFakeLeaseStore();
    const a = yield* elector(store, { identity: "a" });
    const b = yield* elector(store, { identity: "b" });
    yield* until(5);
    yield* Scope.close(a.scope, Exit.void);
    assert.equal(yield* leads(a), false);
    assert.equal((yield* store.get(ref))!.record.holderIdentity, "");
    yield* until(6);
    assert.equal(yield* leads(b), true);
  }));
});

Deno.test("leaderElectorLayer() steps down within the renew deadline when renewals fail, before others may take over", async () => {
  await run(Effect.gen(function* () {
    const inner = makeFakeLeaseStore();
    let broken = false;
    const outage = new KubeApiError({ status: 0, reason: "ConnectionFailed", message: "refused" });
    const store: LeaseStoreShape = {
      get: (r) => broken ? Effect.fail(outage) : inner.get(r),
      create: inner.create,
      update: inner.update,
    };
    const a = yield* elector(store, { identity: "a" });
    let runs = 0, interrupted = 0;
    const work = Effect.forkDetach(
      a.elector.runWhileLeader(
        Effect.andThen(
          Effect.sync(() => runs++),
          Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted++)),
        ),
      ),
    );
    const fiber = yield* work;
    yield* until(4);
    assert.deepEqual([yield* leads(a), runs], [true, 1]);
    broken = true; // last renewal at 4 s
    yield* until(13);
    assert.equal(yield* leads(a), true, "still inside the renew deadline");
    yield* until(14);
    assert.equal(yield* leads(a), false, "stepped down at 4 s + 10 s, before 4 s + 15 s");
    assert.equal(interrupted, 1, "the leader's work was interrupted");
    broken = false;
    yield* until(16);
    assert.deepEqual([yield* leads(a), runs], [true, 2], "it leads again once the store answers");
    yield* Fiber.interrupt(fiber);
  }));
});

Deno.test("leaderElectorLayer() refuses a renew deadline that is not shorter than the lease", async () => {
  const exit = await Effect.runPromiseExit(
    Layer.build(
      Layer.provide(
        leaderElectorLayer({ namespace: "x", identity: "a", leaseDurationSeconds: 10 }),
        leaseStoreFake(makeFakeLeaseStore()),
      ),
    ).pipe(Effect.scoped),
  );
  assert.ok(Exit.isFailure(exit));
  assert.match(
    String(exit.cause),
    /Cannot elect a leader with lease duration "10s", renew deadline "10s"/,
  );
});
