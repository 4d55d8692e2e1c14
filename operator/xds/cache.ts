/**
 * The snapshot cache the xDS server answers from: one snapshot for every node (as upstream
 * serves all routes to all nodes), optionally replaced for single nodes, and watchers that
 * streams register to hear about changes. Setting a snapshot with the version a node already
 * has notifies nobody.
 *
 * @module
 */
import { EMPTY_XDS_SNAPSHOT, type XdsSnapshot } from "./snapshot.ts";

/** Called when the snapshot a node sees changes. */
export type SnapshotWatcher = (snapshot: XdsSnapshot) => void;

/**
 * Holds the current snapshots. Watchers run synchronously inside {@link SnapshotCache.set};
 * they must not throw (a throwing watcher is isolated and the others still run).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SnapshotCache } from "./cache.ts";
 * import { buildXdsSnapshot } from "./snapshot.ts";
 * const cache = new SnapshotCache();
 * const seen: string[] = [];
 * cache.watch("node-1", (s) => seen.push(s.version));
 * const next = buildXdsSnapshot({ routeConfigurations: [{ name: "a_1", virtualHosts: [] }] });
 * cache.set(next);
 * cache.set(next);
 * assert.deepEqual(seen, [next.version]);
 * ```
 */
export class SnapshotCache {
  #default: XdsSnapshot = EMPTY_XDS_SNAPSHOT;
  readonly #nodes = new Map<string, XdsSnapshot>();
  readonly #watchers = new Map<string, Set<SnapshotWatcher>>();
  readonly #onWatcherError: (error: unknown) => void;

  /** `onWatcherError` hears about a watcher that threw. */
  constructor(options: { readonly onWatcherError?: (error: unknown) => void } = {}) {
    this.#onWatcherError = options.onWatcherError ?? (() => {});
  }

  /** The snapshot `node` sees. */
  get(node: string): XdsSnapshot {
    return this.#nodes.get(node) ?? this.#default;
  }

  /** Sets the snapshot of every node without its own one; notifies those whose view changed. */
  set(snapshot: XdsSnapshot): void {
    const before = this.#default;
    this.#default = snapshot;
    if (before.version === snapshot.version) return;
    for (const [node, watchers] of this.#watchers) {
      if (!this.#nodes.has(node)) this.#notify(watchers, snapshot);
    }
  }

  /** Gives `node` its own snapshot, or back the shared one with `undefined`. */
  setFor(node: string, snapshot: XdsSnapshot | undefined): void {
    const before = this.get(node);
    if (snapshot) this.#nodes.set(node, snapshot);
    else this.#nodes.delete(node);
    const after = this.get(node);
    const watchers = this.#watchers.get(node);
    if (watchers && before.version !== after.version) this.#notify(watchers, after);
  }

  /** Registers `watcher` for `node`; returns the function that removes it. */
  watch(node: string, watcher: SnapshotWatcher): () => void {
    let set = this.#watchers.get(node);
    if (!set) this.#watchers.set(node, set = new Set());
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0) this.#watchers.delete(node);
    };
  }

  #notify(watchers: ReadonlySet<SnapshotWatcher>, snapshot: XdsSnapshot): void {
    for (const watcher of watchers) {
      try {
        watcher(snapshot);
      } catch (e) {
        this.#onWatcherError(e);
      }
    }
  }
}
