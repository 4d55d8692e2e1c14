/**
 * One try to acquire or renew the lease (client-go's `tryAcquireOrRenew`): read the record,
 * judge expiry by this replica's own clock from when it last saw the record change (so clock
 * skew between replicas does not matter), and write with the read resourceVersion.
 *
 * @module
 */
import { Clock, Effect } from "effect";
import type { KubeError } from "../kube/errors.ts";
import type { ObjectRef } from "../kube/kinds.ts";
import type { LeaseRecord, LeaseStoreShape, StoredLease } from "./lease_store.ts";

/** What an elector remembers between tries. */
export interface Observed {
  /** The last stored lease seen. */
  lease?: StoredLease;
  /** This replica's clock when `lease` was first seen with its current resourceVersion. */
  at: number;
}

/** Who asks and for how long. */
export interface AttemptOptions {
  readonly store: LeaseStoreShape;
  readonly ref: ObjectRef;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
}

/** `true` when this replica holds the lease after the try, `false` when another does. */
export function tryAcquireOrRenew(
  observed: Observed,
  options: AttemptOptions,
): Effect.Effect<boolean, KubeError> {
  const { store, ref, identity, leaseDurationSeconds } = options;
  return Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    const fresh = (acquireTime: number, transitions: number): LeaseRecord => ({
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime,
      renewTime: now,
      leaseTransitions: transitions,
    });
    const current = yield* store.get(ref);
    if (current === undefined) {
      remember(observed, yield* store.create(ref, fresh(now, 0)), now);
      return true;
    }
    if (observed.lease?.resourceVersion !== current.resourceVersion) {
      remember(observed, current, now);
    }
    const held = current.record;
    const expiresAt = observed.at + held.leaseDurationSeconds * 1000;
    if (held.holderIdentity !== identity && held.holderIdentity !== "" && now < expiresAt) {
      return false;
    }
    const mine = held.holderIdentity === identity;
    const record = mine
      ? fresh(held.acquireTime, held.leaseTransitions)
      : fresh(now, held.leaseTransitions + 1);
    const written = yield* store.update(ref, { record, resourceVersion: current.resourceVersion });
    remember(observed, written, now);
    return true;
  });
}

/**
 * Gives the lease up (client-go's release): an empty holder and a one-second duration, so
 * others take over at their next try. A conflict means another replica already took it.
 */
export function release(
  observed: Observed,
  options: AttemptOptions,
): Effect.Effect<void, KubeError> {
  const { store, ref, identity } = options;
  return Effect.gen(function* () {
    const lease = observed.lease;
    if (lease === undefined || lease.record.holderIdentity !== identity) return;
    const now = yield* Clock.currentTimeMillis;
    const record: LeaseRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: lease.record.leaseTransitions,
    };
    remember(
      observed,
      yield* store.update(ref, { record, resourceVersion: lease.resourceVersion }),
      now,
    );
  }).pipe(Effect.catchTag("KubeConflictError", () => Effect.void));
}

function remember(observed: Observed, lease: StoredLease, now: number): void {
  observed.lease = lease;
  observed.at = now;
}
