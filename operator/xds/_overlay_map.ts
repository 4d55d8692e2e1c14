/**
 * An immutable map that shares a big base map with its predecessors and keeps its own
 * changes in a small overlay, so replacing a few of 10,000 entries costs the overlay, not a
 * copy of the map. Past a bound the overlay is folded into a new base (amortized: one copy
 * per many changes).
 *
 * @module
 */

const GONE: unique symbol = Symbol("gone");
const MAX_OVERLAY = 256;

/** A read-only map built from a base and an overlay of sets and deletions. */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly #base: ReadonlyMap<K, V>;
  readonly #overlay: ReadonlyMap<K, V | typeof GONE>;
  /** The number of entries. */
  readonly size: number;

  private constructor(
    base: ReadonlyMap<K, V>,
    overlay: ReadonlyMap<K, V | typeof GONE>,
    size: number,
  ) {
    this.#base = base;
    this.#overlay = overlay;
    this.size = size;
  }

  /** A map of `map`'s entries; `map` must not be changed afterwards. */
  static of<K, V>(map: ReadonlyMap<K, V>): OverlayMap<K, V> {
    return new OverlayMap(map, new Map(), map.size);
  }

  /** A new map with `deleted` keys removed, then `set` entries set. */
  with(changes: { deleted: readonly K[]; set: readonly (readonly [K, V])[] }): OverlayMap<K, V> {
    const overlay = new Map(this.#overlay);
    let size = this.size;
    for (const k of changes.deleted) {
      if (!this.#has(overlay, k)) continue;
      overlay.set(k, GONE);
      size--;
    }
    for (const [k, v] of changes.set) {
      if (!this.#has(overlay, k)) size++;
      overlay.set(k, v);
    }
    if (overlay.size <= MAX_OVERLAY) return new OverlayMap(this.#base, overlay, size);
    return OverlayMap.of(new Map(new OverlayMap(this.#base, overlay, size)));
  }

  #has(overlay: ReadonlyMap<K, V | typeof GONE>, k: K): boolean {
    const o = overlay.get(k);
    return o === undefined ? this.#base.has(k) : o !== GONE;
  }

  /** The value of `key`. */
  get(key: K): V | undefined {
    const o = this.#overlay.get(key);
    if (o === GONE) return undefined;
    return o === undefined ? this.#base.get(key) : o;
  }

  /** Whether `key` is present. */
  has(key: K): boolean {
    return this.#has(this.#overlay, key);
  }

  /** Entries: the base's (as overlaid) in base order, then the overlay's new keys. */
  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.#base) {
      const o = this.#overlay.get(k);
      if (o === undefined) yield [k, v];
      else if (o !== GONE) yield [k, o];
    }
    for (const [k, o] of this.#overlay) {
      if (o !== GONE && !this.#base.has(k)) yield [k, o];
    }
  }

  /** Keys, in entry order. */
  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  /** Values, in entry order. */
  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /** Calls `f` for each entry. */
  forEach(f: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.entries()) f(v, k, this);
  }

  /** Entries. */
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
