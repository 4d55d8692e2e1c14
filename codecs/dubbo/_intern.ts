/**
 * Interning of routing strings. Service paths, method names, attachment keys and most
 * attachment values repeat from request to request, so the ASCII ones are remembered in
 * small direct-mapped tables keyed by a sample of their bytes: a hit costs one byte compare
 * instead of decoding and allocating a string.
 *
 * The tables are caches, not state: a lookup returns exactly what decoding would.
 *
 * @module
 */

/** A direct-mapped table from ASCII byte runs to values derived from them. */
export class InternTable<T> {
  readonly #keys: (Uint8Array | undefined)[];
  readonly #values: (T | undefined)[];
  // The hash last offered to each slot: a run is stored only when offered twice in a row,
  // so one-off values (request ids, trace ids) never evict the strings that repeat.
  readonly #offered: Int32Array;
  readonly #mask: number;
  readonly #maxBytes: number;

  /** `slots` must be a power of two; byte runs longer than `maxBytes` are not stored. */
  constructor(slots: number, maxBytes: number) {
    this.#keys = new Array(slots).fill(undefined);
    this.#values = new Array(slots).fill(undefined);
    this.#offered = new Int32Array(slots);
    this.#mask = slots - 1;
    this.#maxBytes = maxBytes;
  }

  #hash(bytes: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (n === 0) return 0;
    let h = Math.imul(n ^ bytes[start], 0x01000193) ^ bytes[end - 1];
    h = Math.imul(h, 0x01000193) ^ bytes[start + (n >> 1)];
    if (n > 3) h = Math.imul(h ^ bytes[start + 1], 0x01000193) ^ bytes[end - 2];
    if (n > 7) h = Math.imul(h ^ bytes[start + (n >> 2)], 0x01000193) ^ bytes[end - 5];
    return h ^ (h >>> 15);
  }

  /** The value stored for exactly the bytes `[start, end)`, if any. */
  get(bytes: Uint8Array, start: number, end: number): T | undefined {
    const slot = this.#hash(bytes, start, end) & this.#mask;
    const key = this.#keys[slot];
    const n = end - start;
    if (key === undefined || key.length !== n) return undefined;
    for (let i = 0; i < n; i++) {
      if (key[i] !== bytes[start + i]) return undefined;
    }
    return this.#values[slot];
  }

  /**
   * Offers `value` for the bytes `[start, end)`: stored (a copy of the bytes, replacing the
   * slot's entry) when the same run was offered just before.
   */
  set(bytes: Uint8Array, start: number, end: number, value: T): void {
    if (end - start > this.#maxBytes) return;
    const slot = this.#hash(bytes, start, end) & this.#mask;
    // The fingerprint covers every byte: the slot hash samples only a few.
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    if (this.#offered[slot] !== h) {
      this.#offered[slot] = h;
      return;
    }
    this.#keys[slot] = bytes.slice(start, end);
    this.#values[slot] = value;
  }
}

/** Interned strings, keyed by their ASCII bytes. */
export const internedStrings: InternTable<string> = new InternTable(1024, 128);

/** Interned attachment entries (lower-cased key, value), keyed by the entry's bytes. */
export const internedEntries: InternTable<readonly [string, string]> = new InternTable(512, 256);

/** What a request body starts with: service path, version, method and parameter count. */
export interface InvocationHead {
  readonly path: string;
  readonly version: string;
  readonly method: string;
  readonly operation: string;
  readonly params: number;
}

/** Interned request heads, keyed by the bytes of the body's first five strings. */
export const internedHeads: InternTable<InvocationHead> = new InternTable(256, 1024);

/** Interned class definitions (their field count), keyed by their bytes. */
export const internedClasses: InternTable<number> = new InternTable(256, 1024);

/**
 * Where `count` strings in compact forms starting at `p` end, assuming one byte per unit;
 * 0 if one is not in a compact form. Only a guess, checked by parsing before interning.
 */
export function compactStringsEnd(b: Uint8Array, p: number, end: number, count: number): number {
  for (let i = 0; i < count; i++) {
    if (p >= end) return 0;
    const t = b[p];
    if (t <= 0x1f) p += 1 + t;
    else if (t >= 0x30 && t <= 0x33 && p + 1 < end) p += 2 + (((t - 0x30) << 8) | b[p + 1]);
    else return 0;
  }
  return p <= end ? p : 0;
}
