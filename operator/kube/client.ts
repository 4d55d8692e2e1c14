/**
 * The Kubernetes API as an Effect service: list, watch, get, server-side apply, status apply
 * and delete of any {@linkcode KubeKind}, every failure a tagged {@linkcode KubeError}.
 *
 * @module
 */
import { Context, Effect, type Stream } from "effect";
import type { KubeError } from "./errors.ts";
import type { KubeKind, KubeObject, KubeObjectInput, ObjectRef } from "./kinds.ts";

/** The field manager of every write the operator makes. */
export const FIELD_MANAGER = "aeraki";

/** A list answer: the objects and the resourceVersion to watch from. */
export interface KubeList {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
}

/** One event of a watch stream (`ERROR` events become stream failures). */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  readonly object: KubeObject;
}

/** Where and what to list or watch. */
export interface SelectOptions {
  /** Only this namespace; all namespaces when absent. */
  readonly namespace?: string;
  /** A label selector such as `manager=Aeraki`. */
  readonly labelSelector?: string;
  /** A field selector such as `metadata.name=istio`. */
  readonly fieldSelector?: string;
}

/** Where a watch starts and how long the server keeps it open. */
export interface WatchOptions extends SelectOptions {
  /** The resourceVersion of the list (or last event) the watch continues from. */
  readonly resourceVersion: string;
  /** Asks the server to close the watch after this long (seconds). @default 300 */
  readonly timeoutSeconds?: number;
  /**
   * Ends the watch (the caller re-watches from the last resourceVersion) when nothing, not
   * even a bookmark, arrived for this long: a connection broken mid-stream may report no error.
   * Keep it above the server's bookmark interval (about a minute). @default 90000
   */
  readonly inactivityMs?: number;
}

/** How an apply is made. */
export interface ApplyOptions {
  /** @default "aeraki" */
  readonly fieldManager?: string;
  /** Take over fields another manager owns. @default true */
  readonly force?: boolean;
}

/** What the operator needs from the Kubernetes API. */
export interface KubeClientShape {
  /** Lists a kind; the list's resourceVersion is where a watch continues. */
  readonly list: (kind: KubeKind, options?: SelectOptions) => Effect.Effect<KubeList, KubeError>;
  /**
   * Watches a kind from a resourceVersion with bookmarks. The stream ends when the server
   * closes the watch (time to re-watch from the last resourceVersion seen) and fails with
   * `KubeGoneError` when that resourceVersion is too old (time to relist).
   */
  readonly watch: (kind: KubeKind, options: WatchOptions) => Stream.Stream<WatchEvent, KubeError>;
  /** Reads one object. */
  readonly get: (kind: KubeKind, ref: ObjectRef) => Effect.Effect<KubeObject, KubeError>;
  /** Server-side apply of a whole object (its apiVersion and kind say where it goes). */
  readonly apply: (
    object: KubeObjectInput,
    options?: ApplyOptions,
  ) => Effect.Effect<KubeObject, KubeError>;
  /** Server-side apply of the `status` subresource: `object` holds metadata and status. */
  readonly applyStatus: (
    object: KubeObjectInput & { readonly status: unknown },
    options?: ApplyOptions,
  ) => Effect.Effect<KubeObject, KubeError>;
  /** Deletes one object (`KubeNotFoundError` when it is already gone). */
  readonly delete: (kind: KubeKind, ref: ObjectRef) => Effect.Effect<void, KubeError>;
}

/** The Kubernetes API client service; `KubeClientLive` talks to a real API server. */
export class KubeClient extends Context.Service<KubeClient, KubeClientShape>()(
  "aeraki/kube/KubeClient",
) {}

/**
 * Deletes one object; an object that is already gone counts as deleted.
 *
 * @example
 * ```ts ignore
 * yield* deleteIfExists(ENVOY_FILTER, { namespace: "istio-system", name: "aeraki-x" });
 * ```
 */
export function deleteIfExists(
  kind: KubeKind,
  ref: ObjectRef,
): Effect.Effect<void, KubeError, KubeClient> {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    yield* client.delete(kind, ref).pipe(
      Effect.catchTag("KubeNotFoundError", () => Effect.void),
    );
  });
}
