/**
 * Routable metadata as a read-only map whose strings are decoded from the frame bytes on
 * use, shared by the codecs: `get` decodes just the value asked for (what a router needs),
 * while iteration or `size` decode everything once and keep the result. Like
 * `Message.frame`, such a map reads the decoder's input, so the caller keeps those bytes
 * unchanged while the message is in use.
 *
 * A codec supplies two functions over its recorded byte ranges: `lookup` (one key) and
 * `decodeAll` (every entry, in order); both must agree on every key.
 *
 * @module
 */

/** A read-only map of lower-cased metadata whose values are decoded when first read. */
export abstract class LazyMetadata implements ReadonlyMap<string, string> {
  #all: Map<string, string> | undefined;

  /** The value of `key` (lower-cased), decoded from the frame; never throws. */
  protected abstract lookup(key: string): string | undefined;

  /** Every entry, in the order the eager map of the protocol would hold them. */
  protected abstract decodeAll(): Map<string, string>;

  /** The fully decoded map, built once. */
  protected all(): Map<string, string> {
    return this.#all ??= this.decodeAll();
  }

  /**
   * Whether `key` has a value, without decoding it where the codec can tell (a router only
   * asks whether a request carries `x-request-id`); must agree with `lookup`.
   */
  protected contains(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  get(key: string): string | undefined {
    return this.#all !== undefined ? this.#all.get(key) : this.lookup(key);
  }

  has(key: string): boolean {
    return this.#all !== undefined ? this.#all.has(key) : this.contains(key);
  }

  get size(): number {
    return this.all().size;
  }

  forEach(
    fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void,
    thisArg?: unknown,
  ): void {
    this.all().forEach((v, k) => fn.call(thisArg, v, k, this));
  }

  entries(): MapIterator<[string, string]> {
    return this.all().entries();
  }

  keys(): MapIterator<string> {
    return this.all().keys();
  }

  values(): MapIterator<string> {
    return this.all().values();
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * Whether the bytes `buf[start, end)`, lower-cased, spell `key`: 1 if so, 0 if not, -1 if
 * they are not all ASCII (the caller then decodes them and lower-cases with full Unicode
 * rules, which may change lengths and map non-ASCII letters to ASCII ones).
 */
export function matchAsciiKey(buf: Uint8Array, start: number, end: number, key: string): number {
  for (let i = start; i < end; i++) if (buf[i] >= 0x80) return -1;
  return lowerAsciiEquals(buf, start, end, key) ? 1 : 0;
}

/** Whether the ASCII bytes `buf[start, end)`, lower-cased, spell `key`. */
export function lowerAsciiEquals(buf: Uint8Array, start: number, end: number, key: string) {
  if (end - start !== key.length) return false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    const lower = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
    if (lower !== key.charCodeAt(i - start)) return false;
  }
  return true;
}
