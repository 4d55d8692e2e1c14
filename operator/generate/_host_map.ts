/**
 * Objects by host (FQDN), each bucket sorted by namespace/name, built in linear time and
 * patched cheaply when a few objects of the source list are replaced, added or deleted: a patch shares the big
 * base map and keeps its changes in a small overlay, and reports which hosts changed so
 * memoized generation checks only the services of those hosts.
 *
 * @module
 */
import { diffLists, type ListDiff } from "./_list_diff.ts";
import { fqdn } from "./names.ts";

/** Something with Kubernetes metadata. */
export type Named = { readonly metadata: { readonly name?: string; readonly namespace?: string } };

/** Orders objects by namespace, then name. */
export function byNamespaceAndName(a: Named, b: Named): number {
  const an = a.metadata.namespace ?? "", bn = b.metadata.namespace ?? "";
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.metadata.name ?? "", b2 = b.metadata.name ?? "";
  return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
}

const EMPTY: readonly never[] = [];
const MAX_OVERLAY = 256;
const MAX_PATCH = 16;

function keysOf<T extends Named>(item: T, hosts: (item: T) => readonly string[], domain: string) {
  const ns = item.metadata.namespace ?? "";
  const list = hosts(item);
  if (list.length === 1) return [fqdn(list[0], ns, domain)];
  return [...new Set(list.map((h) => fqdn(h, ns, domain)))];
}

function without<T>(list: readonly T[], item: T): readonly T[] {
  const at = list.indexOf(item);
  return at < 0 ? list : [...list.slice(0, at), ...list.slice(at + 1)];
}

/** An immutable multimap host → objects. */
export class HostMap<T extends Named> {
  readonly #base: Map<string, readonly T[]>;
  readonly #overlay: Map<string, readonly T[]>;
  /** Hosts whose bucket differs from the map this one was patched from; all when rebuilt. */
  readonly changedHosts?: ReadonlySet<string>;
  /** The objects removed from and added to the source list since that map; absent when rebuilt. */
  readonly changed?: ListDiff<T>;

  private constructor(
    base: Map<string, readonly T[]>,
    overlay: Map<string, readonly T[]>,
    changedHosts?: ReadonlySet<string>,
    changed?: ListDiff<T>,
  ) {
    this.#base = base;
    this.#overlay = overlay;
    if (changedHosts) this.changedHosts = changedHosts;
    if (changed) this.changed = changed;
  }

  /** Indexes `items` by the FQDNs of `hosts(item)` (short names expand in the item's namespace). */
  static build<T extends Named>(
    items: readonly T[],
    hosts: (item: T) => readonly string[],
    domain: string,
  ): HostMap<T> {
    const map = new Map<string, T[]>();
    for (const item of items) {
      for (const h of keysOf(item, hosts, domain)) {
        const list = map.get(h);
        if (list) list.push(item);
        else map.set(h, [item]);
      }
    }
    for (const list of map.values()) if (list.length > 1) list.sort(byNamespaceAndName);
    return new HostMap<T>(map, new Map());
  }

  /** The objects of `host`, by namespace/name. */
  get(host: string): readonly T[] {
    return this.#overlay.get(host) ?? this.#base.get(host) ?? EMPTY;
  }

  /**
   * The map of `next`, where `prev` is the list this map was built from: patched when a few
   * objects were replaced, inserted or deleted (see {@link diffLists}), else rebuilt.
   */
  update(
    prev: readonly T[],
    next: readonly T[],
    hosts: (item: T) => readonly string[],
    domain: string,
  ): HostMap<T> {
    if (prev === next) return this;
    const diff = diffLists(prev, next, MAX_PATCH);
    if (!diff) return HostMap.build(next, hosts, domain);
    const overlay = new Map(this.#overlay);
    const touched = new Set<string>();
    const edit = (h: string, f: (list: readonly T[]) => readonly T[]) => {
      overlay.set(h, f(overlay.get(h) ?? this.#base.get(h) ?? EMPTY));
      touched.add(h);
    };
    for (const item of diff.removed) {
      for (const h of keysOf(item, hosts, domain)) edit(h, (l) => without(l, item));
    }
    for (const item of diff.added) {
      for (const h of keysOf(item, hosts, domain)) {
        edit(h, (l) => [...l, item].sort(byNamespaceAndName));
      }
    }
    if (overlay.size <= MAX_OVERLAY) return new HostMap(this.#base, overlay, touched, diff);
    const base = new Map(this.#base);
    for (const [h, l] of overlay) base.set(h, l);
    return new HostMap(base, new Map(), touched, diff);
  }
}
