/**
 * Carries out a {@linkcode WritePlan}: server-side apply of each object to write, delete of
 * each one to prune, each retried with backoff; and what the API server answered goes into
 * the store of written objects at once. The watch of those objects would bring the same
 * versions later, but a reconcile that ran before it (the watch broken, lagging or
 * relisting) would see the old versions and write the same content again.
 *
 * @module
 */
import { Effect, Schedule } from "effect";
import { type GeneratedObject, stableStringify } from "../generate/mod.ts";
import {
  backoff,
  type BackoffOptions,
  KubeClient,
  type KubeError,
  type KubeKind,
  type KubeObject,
  type KubeStore,
} from "../kube/mod.ts";
import type { WritePlan } from "./plan.ts";

/** What the writes of one plan did. */
export interface WriteOutcome {
  /** `Kind/namespace/name` of each object applied. */
  readonly applied: readonly string[];
  /** `Kind/namespace/name` of each object pruned. */
  readonly pruned: readonly string[];
  /** The writes that still failed after their retries. */
  readonly failed: readonly KubeError[];
}

/**
 * The content of each object's last apply and the resourceVersion the API server answered:
 * while the stored version is still that one, applying the same content again changes nothing.
 */
export class AppliedVersions {
  readonly #applied = new Map<string, { content: string; resourceVersion: string }>();

  /** Remembers that applying `object` left `stored`. */
  record(object: GeneratedObject, stored: KubeObject): void {
    const resourceVersion = stored.metadata.resourceVersion;
    if (resourceVersion) {
      this.#applied.set(refOf(object), { content: contentOf(object), resourceVersion });
    }
  }

  /** Forgets a pruned object. */
  forget(ref: string): void {
    this.#applied.delete(ref);
  }

  /** Whether `held` is what our apply of the same content as `object` left. */
  settled(object: GeneratedObject, held: KubeObject | undefined): boolean {
    const last = this.#applied.get(refOf(object));
    return last !== undefined && held?.metadata.resourceVersion === last.resourceVersion &&
      last.content === contentOf(object);
  }
}

function contentOf(o: GeneratedObject): string {
  return stableStringify({ labels: o.metadata.labels, spec: o.spec });
}

/** Options of {@linkcode executeWrites}. */
export interface ExecuteWritesOptions {
  /** Where the written objects are kept (what the watch of `kind` fills). */
  readonly store: KubeStore;
  /** What earlier applies left; objects still as they left them are not applied again. */
  readonly applied?: AppliedVersions;
  /** Retries of one write. @default 800 ms doubling, jittered, 4 retries */
  readonly backoff?: BackoffOptions;
  /** Retries of one write before it counts as failed. @default 4 */
  readonly retries?: number;
}

/**
 * Applies and prunes the objects of `plan` (all of kind `kind`); a write that fails after
 * its retries is reported in `failed`, and the others go on.
 */
export function executeWrites(
  kind: KubeKind,
  plan: WritePlan,
  options: ExecuteWritesOptions,
): Effect.Effect<WriteOutcome, never, KubeClient> {
  const retry = backoff(options.backoff).pipe(Schedule.upTo({ times: options.retries ?? 4 }));
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    const failed: KubeError[] = [];
    const attempt = <A>(write: Effect.Effect<A, KubeError>, done: (a: A) => void) =>
      Effect.retry(write, retry).pipe(
        Effect.match({ onFailure: (e) => void failed.push(e), onSuccess: done }),
      );
    const applied: string[] = [];
    for (const object of plan.apply) {
      if (options.applied?.settled(object, options.store.get(kind, object.metadata))) continue;
      yield* attempt(client.apply(object), (stored) => {
        options.store.apply({ type: "Applied", kind, object: stored });
        options.applied?.record(object, stored);
        applied.push(refOf(object));
      });
    }
    const pruned: string[] = [];
    for (const object of plan.prune) {
      const gone = client.delete(kind, object.metadata).pipe(
        Effect.catchTag("KubeNotFoundError", () => Effect.void),
      );
      yield* attempt(gone, () => {
        options.store.apply({ type: "Deleted", kind, object });
        options.applied?.forget(refOf(object));
        pruned.push(refOf(object));
      });
    }
    return { applied, pruned, failed };
  });
}

/** `Kind/namespace/name` (or `Kind/name`) of an object. */
export function refOf(o: GeneratedObject | KubeObject): string {
  const ns = o.metadata.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}
