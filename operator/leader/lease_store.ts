/**
 * Where the leader-election record lives: a `coordination.k8s.io/v1` Lease read and written
 * with optimistic concurrency. {@linkcode LeaseStore} is the service, {@linkcode leaseStoreLayer}
 * keeps it in the API server through the {@linkcode KubeClient}, and {@linkcode makeFakeLeaseStore}
 * keeps it in memory with the API server's conflict semantics (for timing tests).
 *
 * @module
 */
import { Context, Effect, Layer } from "effect";
import { KubeClient, type KubeClientShape } from "../kube/client.ts";
import { KubeConflictError, type KubeError, KubeNotFoundError } from "../kube/errors.ts";
import type { KubeKind, KubeObject, ObjectRef } from "../kube/kinds.ts";

/** The Lease kind (`coordination.k8s.io/v1`). */
export const LEASE: KubeKind = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
};

/** The election record a Lease's spec holds (client-go's `LeaderElectionRecord`). */
export interface LeaseRecord {
  /** Who holds the lease; empty when it was released. */
  readonly holderIdentity: string;
  /** How long others wait, after they last saw the record change, before taking over. */
  readonly leaseDurationSeconds: number;
  /** When the current holder acquired it (epoch milliseconds). */
  readonly acquireTime: number;
  /** When the current holder last renewed it (epoch milliseconds). */
  readonly renewTime: number;
  /** How many times the lease changed hands. */
  readonly leaseTransitions: number;
}

/** A record as stored, with the resourceVersion an update must name. */
export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** What the elector needs from wherever the Lease lives. */
export interface LeaseStoreShape {
  /** Reads the lease; `undefined` when it does not exist. */
  readonly get: (ref: ObjectRef) => Effect.Effect<StoredLease | undefined, KubeError>;
  /** Creates the lease; `KubeConflictError` when another replica created it first. */
  readonly create: (ref: ObjectRef, record: LeaseRecord) => Effect.Effect<StoredLease, KubeError>;
  /** Replaces the record; `KubeConflictError` when it changed since `resourceVersion`. */
  readonly update: (
    ref: ObjectRef,
    change: { readonly record: LeaseRecord; readonly resourceVersion: string },
  ) => Effect.Effect<StoredLease, KubeError>;
}

/** The lease store service. */
export class LeaseStore extends Context.Service<LeaseStore, LeaseStoreShape>()(
  "aeraki/leader/LeaseStore",
) {}

/** Lease times are MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

function toLease(ref: ObjectRef, record: LeaseRecord, resourceVersion?: string) {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { namespace: ref.namespace, name: ref.name, resourceVersion },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: microTime(record.acquireTime),
      renewTime: microTime(record.renewTime),
      leaseTransitions: record.leaseTransitions,
    },
  };
}

function fromLease(lease: KubeObject): StoredLease {
  const spec = ((lease as { spec?: Record<string, unknown> }).spec ?? {}) as Record<
    string,
    unknown
  >;
  const time = (v: unknown) => (typeof v === "string" ? Date.parse(v) || 0 : 0);
  return {
    record: {
      holderIdentity: typeof spec.holderIdentity === "string" ? spec.holderIdentity : "",
      leaseDurationSeconds: Number(spec.leaseDurationSeconds ?? 0),
      acquireTime: time(spec.acquireTime),
      renewTime: time(spec.renewTime),
      leaseTransitions: Number(spec.leaseTransitions ?? 0),
    },
    resourceVersion: lease.metadata.resourceVersion ?? "",
  };
}

/**
 * A lease store over the Kubernetes API. Writes are server-side applies with a field manager
 * per holder: a create without force conflicts (409) when another replica created the lease
 * first with its own identity, and an update names the resourceVersion it read, so the API
 * server answers 409 when anybody wrote in between.
 */
export function makeKubeLeaseStore(client: KubeClientShape): LeaseStoreShape {
  const manager = (record: LeaseRecord) => `aeraki-leader-${record.holderIdentity || "released"}`;
  return {
    get: (ref) =>
      client.get(LEASE, ref).pipe(
        Effect.map(fromLease),
        Effect.catchTag("KubeNotFoundError", () => Effect.succeed(undefined)),
      ),
    create: (ref, record) =>
      Effect.map(
        client.apply(toLease(ref, record), {
          fieldManager: manager(record).slice(0, 128),
          force: false,
        }),
        fromLease,
      ),
    update: (ref, { record, resourceVersion }) =>
      Effect.map(
        client.apply(toLease(ref, record, resourceVersion), {
          fieldManager: manager(record).slice(0, 128),
          force: true,
        }),
        fromLease,
      ),
  };
}

/** The {@linkcode LeaseStore} kept in the API server, over the {@linkcode KubeClient}. */
export const leaseStoreLayer: Layer.Layer<LeaseStore, never, KubeClient> = Layer.effect(
  LeaseStore,
  Effect.map(KubeClient, makeKubeLeaseStore),
);

/**
 * An in-memory lease store with the API server's semantics (409 on a stale resourceVersion
 * or a second create). Share one between electors to test them against each other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Effect } from "effect";
 * import { makeFakeLeaseStore } from "./lease_store.ts";
 * const store = makeFakeLeaseStore();
 * const ref = { namespace: "istio-system", name: "l" };
 * const record = {
 *   holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, leaseTransitions: 0,
 * };
 * const first = await Effect.runPromise(store.create(ref, record));
 * assert.equal(first.resourceVersion, "1");
 * const second = await Effect.runPromise(Effect.flip(store.create(ref, record)));
 * assert.equal(second._tag, "KubeConflictError");
 * ```
 */
export function makeFakeLeaseStore(): LeaseStoreShape & { readonly writes: () => number } {
  const leases = new Map<string, StoredLease>();
  let version = 0, writes = 0;
  const key = (ref: ObjectRef) => `${ref.namespace}/${ref.name}`;
  const conflict = (ref: ObjectRef, why: string) =>
    new KubeConflictError({
      status: 409,
      reason: "Conflict",
      message: `Cannot write Lease "${key(ref)}": ${why}`,
    });
  const put = (ref: ObjectRef, record: LeaseRecord) => {
    writes++;
    const stored = { record, resourceVersion: String(++version) };
    leases.set(key(ref), stored);
    return stored;
  };
  return {
    writes: () => writes,
    get: (ref) => Effect.sync(() => leases.get(key(ref))),
    create: (ref, record) =>
      Effect.suspend(() =>
        leases.has(key(ref))
          ? Effect.fail(conflict(ref, "it already exists"))
          : Effect.sync(() => put(ref, record))
      ),
    update: (ref, { record, resourceVersion }) =>
      Effect.suspend((): Effect.Effect<StoredLease, KubeError> => {
        const current = leases.get(key(ref));
        if (!current) {
          return Effect.fail(
            new KubeNotFoundError({
              status: 404,
              reason: "NotFound",
              message: `Cannot write Lease "${key(ref)}": it does not exist`,
            }),
          );
        }
        return current.resourceVersion === resourceVersion
          ? Effect.sync(() => put(ref, record))
          : Effect.fail(conflict(ref, `it changed since resourceVersion "${resourceVersion}"`));
      }),
  };
}

/** A {@linkcode LeaseStore} layer over one fake store (share the store between layers). */
export function leaseStoreFake(store: LeaseStoreShape): Layer.Layer<LeaseStore> {
  return Layer.succeed(LeaseStore, store);
}
