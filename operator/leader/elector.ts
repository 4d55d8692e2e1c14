/**
 * Leader election over a Lease, as client-go's `leaderelection` does it: try to acquire every
 * retry period (jittered); once leading, renew every retry period and step down when no renewal
 * succeeded for the renew deadline (shorter than the lease duration, so a leader stops acting
 * before any other replica may take over); release the lease on shutdown so a successor takes
 * over at its next try.
 *
 * @module
 */
import {
  Clock,
  Context,
  Data,
  Duration,
  Effect,
  Fiber,
  Layer,
  Random,
  Stream,
  SubscriptionRef,
} from "effect";
import type { ObjectRef } from "../kube/kinds.ts";
import { type AttemptOptions, type Observed, release, tryAcquireOrRenew } from "./_attempt.ts";
import { LeaseStore } from "./lease_store.ts";

/** Upstream's lock name for the EnvoyFilter controller (control-plane spec §6). */
export const LEADER_LEASE_NAME = "aeraki-envoyfilter-controller-election";

/** Where the lease is, who this replica is, and the election's timing. */
export interface LeaderElectionOptions {
  /** The namespace of the Lease (the root namespace). */
  readonly namespace: string;
  /** The Lease's name. @default "aeraki-envoyfilter-controller-election" */
  readonly name?: string;
  /** This replica's identity, written as the lease's holder (the server id). */
  readonly identity: string;
  /** How long others wait before taking over a lease that is not renewed. @default 15 */
  readonly leaseDurationSeconds?: number;
  /** How long a leader keeps leading while its renewals fail. @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** The time between tries. @default 2 */
  readonly retryPeriodSeconds?: number;
  /** Tries wait up to `retryPeriod * (1 + jitter)` while not leading. @default 1.2 */
  readonly jitter?: number;
  /** Give the lease up on shutdown so a successor need not wait it out. @default true */
  readonly releaseOnCancel?: boolean;
}

/** The options break client-go's rules: leaseDuration > renewDeadline > retryPeriod * jitter. */
export class LeaderElectionConfigError extends Data.TaggedError("LeaderElectionConfigError")<{
  readonly message: string;
}> {}

/** What the rest of the operator sees of the election. */
export interface LeaderElectorShape {
  /** This replica's identity. */
  readonly identity: string;
  /** Whether this replica leads now; its changes stream says when that changes. */
  readonly isLeader: SubscriptionRef.SubscriptionRef<boolean>;
  /**
   * Runs `effect` whenever this replica leads and interrupts it as soon as leadership is lost;
   * it starts again on the next term. Never ends by itself: fork it in a scope that closes
   * before the elector's layer, so the work stops before the lease is released.
   */
  readonly runWhileLeader: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<never, E, R>;
}

/** The leader elector service. */
export class LeaderElector extends Context.Service<LeaderElector, LeaderElectorShape>()(
  "aeraki/leader/LeaderElector",
) {}

interface Timing {
  readonly retry: number;
  readonly deadline: number;
  readonly jitter: number;
}

/**
 * The elector as a layer: it campaigns from when the layer is built until its scope closes,
 * then (unless `releaseOnCancel` is false) releases the lease.
 */
export function leaderElectorLayer(
  options: LeaderElectionOptions,
): Layer.Layer<LeaderElector, LeaderElectionConfigError, LeaseStore> {
  return Layer.effect(LeaderElector, makeElector(options));
}

function makeElector(options: LeaderElectionOptions) {
  return Effect.gen(function* () {
    const timing = yield* checkTiming(options);
    const attempt: AttemptOptions = {
      store: yield* LeaseStore,
      ref: { namespace: options.namespace, name: options.name ?? LEADER_LEASE_NAME },
      identity: options.identity,
      leaseDurationSeconds: options.leaseDurationSeconds ?? 15,
    };
    const isLeader = yield* SubscriptionRef.make(false);
    const observed: Observed = { at: 0 };
    const fiber = yield* Effect.forkDetach(campaign(observed, attempt, timing, isLeader));
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        yield* Fiber.interrupt(fiber);
        yield* SubscriptionRef.set(isLeader, false);
        if (options.releaseOnCancel === false) return;
        yield* release(observed, attempt).pipe(
          Effect.timeoutOption(Duration.millis(timing.deadline)),
          Effect.catch((e) => Effect.logWarning(`Cannot release the leader lease: ${e.message}`)),
        );
      })
    );
    return {
      identity: options.identity,
      isLeader,
      runWhileLeader: <A, E, R>(effect: Effect.Effect<A, E, R>) => runWhileLeader(isLeader, effect),
    };
  });
}

function checkTiming(o: LeaderElectionOptions): Effect.Effect<Timing, LeaderElectionConfigError> {
  const lease = (o.leaseDurationSeconds ?? 15) * 1000;
  const deadline = (o.renewDeadlineSeconds ?? 10) * 1000;
  const retry = (o.retryPeriodSeconds ?? 2) * 1000;
  const jitter = o.jitter ?? 1.2;
  if (!(lease > deadline && deadline > retry * Math.max(1, jitter) && retry > 0)) {
    return Effect.fail(
      new LeaderElectionConfigError({
        message: `Cannot elect a leader with lease duration "${lease / 1000}s", renew deadline ` +
          `"${deadline / 1000}s" and retry period "${retry / 1000}s": the lease must outlast ` +
          `the deadline, and the deadline the jittered retry period`,
      }),
    );
  }
  return Effect.succeed({ retry, deadline, jitter });
}

/** Acquire, lead until renewals fail for the deadline, step down; forever. */
function campaign(
  observed: Observed,
  attempt: AttemptOptions,
  timing: Timing,
  isLeader: SubscriptionRef.SubscriptionRef<boolean>,
): Effect.Effect<never> {
  const tryOnce = (limit: number) =>
    tryAcquireOrRenew(observed, attempt).pipe(
      Effect.timeoutOption(Duration.millis(limit)),
      Effect.map((won) => (won._tag === "Some" ? won.value : undefined)),
      Effect.catch((e) =>
        Effect.as(
          Effect.logWarning(`Cannot acquire or renew the leader lease: ${e.message}`),
          undefined,
        )
      ),
    );
  const acquire = Effect.gen(function* () {
    while ((yield* tryOnce(timing.deadline)) !== true) {
      const spread = yield* Random.next;
      yield* Effect.sleep(Duration.millis(timing.retry * (1 + timing.jitter * spread)));
    }
  });
  const lead = Effect.gen(function* () {
    let renewed = yield* Clock.currentTimeMillis;
    while (true) {
      yield* Effect.sleep(Duration.millis(timing.retry));
      const left = renewed + timing.deadline - (yield* Clock.currentTimeMillis);
      if (left <= 0) return;
      const won = yield* tryOnce(left);
      if (won === false) return;
      if (won === true) renewed = yield* Clock.currentTimeMillis;
    }
  });
  return Effect.forever(
    Effect.gen(function* () {
      yield* acquire;
      yield* SubscriptionRef.set(isLeader, true);
      yield* Effect.logInfo(`Leading as "${attempt.identity}" (Lease "${refText(attempt.ref)}")`);
      yield* lead;
      yield* SubscriptionRef.set(isLeader, false);
      yield* Effect.logWarning(
        `Lost the leader lease "${refText(attempt.ref)}"; campaigning again`,
      );
    }),
  );
}

function refText(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}

function waitFor(isLeader: SubscriptionRef.SubscriptionRef<boolean>, value: boolean) {
  return SubscriptionRef.changes(isLeader).pipe(
    Stream.filter((v) => v === value),
    Stream.take(1),
    Stream.runDrain,
  );
}

function runWhileLeader<A, E, R>(
  isLeader: SubscriptionRef.SubscriptionRef<boolean>,
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<never, E, R> {
  return Effect.forever(
    Effect.andThen(
      waitFor(isLeader, true),
      Effect.raceFirst(Effect.andThen(effect, Effect.never), waitFor(isLeader, false)),
    ),
  );
}
