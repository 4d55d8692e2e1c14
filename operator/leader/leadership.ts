/**
 * The operator's side of the election, deciding who may write: {@link startLeadership} builds
 * the elector over the API server's Lease in the caller's scope (or, for a replica started with
 * `--master=false`, one that never leads) and reports each change of state, which is where the
 * leader-state gauge of `/metrics` is set.
 *
 * What a replica does when it loses the lease: it keeps running as a follower and campaigns
 * again, as upstream Aeraki does ("on loss it restarts the election loop"), rather than exiting
 * like controller-runtime's manager. The writing work is interrupted at once and its whole
 * scope (watches, caches, memo) is dropped, so a later term starts as cleanly as a restarted
 * process would; meanwhile the replica keeps serving admission reviews and reads, which a
 * process restart would interrupt (and the webhook's `failurePolicy: Fail` would turn into
 * refused MetaRouter writes).
 *
 * @module
 */
import { Context, Effect, Layer, type Scope, Stream, SubscriptionRef } from "effect";
import type { KubeClient } from "../kube/client.ts";
import {
  type LeaderElectionConfigError,
  type LeaderElectionOptions,
  LeaderElector,
  leaderElectorLayer,
  type LeaderElectorShape,
} from "./elector.ts";
import { leaseStoreLayer } from "./lease_store.ts";

/** Options of {@link startLeadership}. */
export interface LeadershipOptions extends LeaderElectionOptions {
  /** Take part in the election; a replica that does not never writes. @default true */
  readonly enabled?: boolean;
  /** Told `true` when this replica starts leading and `false` when it stops. @default none */
  readonly onChange?: (leading: boolean) => Effect.Effect<void>;
}

/**
 * Campaigns for the Lease until the current scope closes, then releases it (so the scope's
 * writing work must be interrupted first: run it with `runWhileLeader` inside a race or fiber
 * that ends before the scope does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Effect, SubscriptionRef } from "effect";
 * import { startLeadership } from "./leadership.ts";
 * const leads = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
 *   const follower = yield* startLeadership({ namespace: "ns", identity: "a", enabled: false });
 *   return yield* SubscriptionRef.get(follower.isLeader);
 * })) as Effect.Effect<boolean>);
 * assert.equal(leads, false);
 * ```
 */
export function startLeadership(
  options: LeadershipOptions,
): Effect.Effect<LeaderElectorShape, LeaderElectionConfigError, Scope.Scope | KubeClient> {
  return Effect.gen(function* () {
    const { enabled = true, onChange, ...election } = options;
    if (!enabled) {
      const isLeader = yield* SubscriptionRef.make(false);
      yield* Effect.logInfo(
        `Not campaigning for the leader lease as "${options.identity}": this replica never writes`,
      );
      return { identity: options.identity, isLeader, runWhileLeader: () => Effect.never };
    }
    const scope = yield* Effect.scope;
    const context = yield* Layer.buildWithScope(
      Layer.provide(leaderElectorLayer(election), leaseStoreLayer),
      scope,
    );
    const elector = Context.get(context, LeaderElector);
    if (onChange) {
      yield* Effect.forkScoped(
        SubscriptionRef.changes(elector.isLeader).pipe(Stream.changes, Stream.runForEach(onChange)),
      );
    }
    return elector;
  });
}
