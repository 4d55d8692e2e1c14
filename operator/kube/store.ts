/**
 * The store (kube-rs' reflector store): the last seen version of every watched object, by
 * kind, namespace and name. Applying a {@linkcode WatcherEvent} updates it and returns what
 * changed, so that a relist after 410 Gone yields the deletions and additions the missed
 * watch events would have carried.
 *
 * @module
 */
import { type KubeKind, type KubeObject, type ObjectRef } from "./kinds.ts";
import type { WatcherEvent } from "./watcher.ts";

/** One change to the store. */
export interface StoreChange {
  readonly type: "Added" | "Updated" | "Deleted";
  readonly kind: KubeKind;
  /** The object now (for `Deleted`, the last version seen). */
  readonly object: KubeObject;
  /** The version replaced (`Updated`). */
  readonly previous?: KubeObject;
}

/** Objects by kind, namespace and name. Plain synchronous data; one writer at a time. */
export class KubeStore {
  #kinds = new Map<string, Map<string, KubeObject>>();

  /**
   * Applies one watcher event and returns the changes it makes: nothing for an object seen
   * at the same resourceVersion, and for `Restarted` the difference from the store.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { KubeStore } from "./store.ts";
   * import { META_ROUTER } from "./kinds.ts";
   * const store = new KubeStore();
   * const o = (name: string, rv: string) => ({
   *   apiVersion: "metaprotocol.aeraki.io/v1alpha1",
   *   kind: "MetaRouter",
   *   metadata: { namespace: "default", name, resourceVersion: rv },
   * });
   * store.apply({ type: "Restarted", kind: META_ROUTER, objects: [o("a", "1"), o("b", "2")] });
   * const changes = store.apply({ type: "Restarted", kind: META_ROUTER, objects: [o("b", "3")] });
   * assert.deepEqual(changes.map((c) => `${c.type} ${c.object.metadata.name}`), [
   *   "Deleted a",
   *   "Updated b",
   * ]);
   * ```
   */
  apply(event: WatcherEvent): StoreChange[] {
    const objects = this.#objects(event.kind);
    const kind = event.kind;
    switch (event.type) {
      case "Applied":
        return upsert(objects, kind, event.object);
      case "Deleted": {
        const key = keyOf(event.object.metadata);
        if (!objects.delete(key)) return [];
        return [{ type: "Deleted", kind, object: event.object }];
      }
      case "Restarted": {
        const seen = new Set(event.objects.map((o) => keyOf(o.metadata)));
        const changes: StoreChange[] = [];
        for (const [key, old] of [...objects].sort(([a], [b]) => a < b ? -1 : 1)) {
          if (seen.has(key)) continue;
          objects.delete(key);
          changes.push({ type: "Deleted", kind, object: old });
        }
        for (const o of event.objects) changes.push(...upsert(objects, kind, o));
        return changes;
      }
    }
  }

  /** The object `ref` of `kind`, if present. */
  get(kind: KubeKind, ref: ObjectRef): KubeObject | undefined {
    return this.#kinds.get(kindKey(kind))?.get(keyOf(ref));
  }

  /** Every object of `kind`, sorted by namespace and name. */
  list(kind: KubeKind): KubeObject[] {
    const objects = this.#kinds.get(kindKey(kind));
    if (!objects) return [];
    return [...objects].sort(([a], [b]) => a < b ? -1 : 1).map(([, o]) => o);
  }

  #objects(kind: KubeKind): Map<string, KubeObject> {
    const key = kindKey(kind);
    let objects = this.#kinds.get(key);
    if (!objects) this.#kinds.set(key, objects = new Map());
    return objects;
  }
}

function upsert(objects: Map<string, KubeObject>, kind: KubeKind, o: KubeObject): StoreChange[] {
  const key = keyOf(o.metadata);
  const previous = objects.get(key);
  objects.set(key, o);
  if (!previous) return [{ type: "Added", kind, object: o }];
  if (previous.metadata.resourceVersion === o.metadata.resourceVersion) return [];
  return [{ type: "Updated", kind, object: o, previous }];
}

function kindKey(kind: KubeKind): string {
  return `${kind.group}/${kind.kind}`;
}

function keyOf(ref: ObjectRef): string {
  return `${ref.namespace ?? ""}/${ref.name}`;
}
