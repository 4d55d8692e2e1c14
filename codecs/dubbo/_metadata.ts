/**
 * The metadata of a decoded Dubbo frame: a {@link LazyMetadata} over the byte ranges of the
 * request head (service path, method, version) and of the string attachments, recorded by
 * the body walk without creating strings.
 *
 * The eager map it stands for holds `interface`, `method`, `version` (when not empty), then
 * every attachment with a string key and a string value, keys lower-cased, in wire order;
 * a later entry with the same key replaces the value but keeps the key's first position.
 *
 * @module
 */

import { LazyMetadata, lowerAsciiEquals } from "../_lazy_metadata.ts";
import type { RequestHead } from "./_head.ts";
import { asciiString, equalBytes } from "./_utf8.ts";
import { readStringAt } from "./hessian_reader.ts";

/**
 * Attachment entries with string keys and values, 5 numbers each: the key's offset, where
 * the key's characters start when it is one chunk of ASCII (else -1), the value's offset
 * (where the key ends), where the value's characters start when it is one chunk of ASCII
 * (else -1), and the value's end.
 */
export type EntryRanges = number[];

/** Numbers per entry of {@link EntryRanges}. */
export const ENTRY = 5;

/** Room for this many numbers is made before the walk: eight entries, the usual few. */
export const ENTRIES_HINT = 8 * ENTRY;

/**
 * A new {@link EntryRanges} with room for {@link ENTRIES_HINT} numbers, as a packed array of
 * small integers: an array made with `new Array(n)` has holes, which every read checks for,
 * and an array literal is the cheapest packed one to make.
 */
export function newEntries(): EntryRanges {
  // deno-fmt-ignore
  return [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ];
}

/** The metadata of one Dubbo frame, decoded from `frame` when read. */
export class DubboMetadata extends LazyMetadata {
  readonly #frame: Uint8Array;
  readonly #head: RequestHead | undefined;
  readonly #entries: EntryRanges;
  readonly #count: number;
  readonly #words: Int32Array;
  readonly #shift: number;
  readonly #keyLengths: number;

  /**
   * `head` is undefined for responses; the first `count` numbers of `entries` as recorded
   * by the attachment walk; `words` and `shift` are the word view of `frame`; bit
   * `length % 32` of `keyLengths` is set for the length of every key that is one compact
   * ASCII string, and when any key is not (-1 sets every bit).
   */
  constructor(
    frame: Uint8Array,
    head: RequestHead | undefined,
    entries: EntryRanges,
    count: number,
    words: Int32Array,
    shift: number,
    keyLengths: number,
  ) {
    super();
    this.#frame = frame;
    this.#head = head;
    this.#entries = entries;
    this.#count = count;
    this.#words = words;
    this.#shift = shift;
    this.#keyLengths = keyLengths;
  }

  protected override lookup(key: string): string | undefined {
    const i = this.#find(key);
    if (i >= 0) {
      const e = this.#entries;
      return this.#value(e[i + 2], e[i + 3], e[i + 4]);
    }
    const head = this.#head;
    if (head === undefined) return undefined;
    if (key === "interface") return head.path;
    if (key === "method") return head.method;
    if (key === "version") return head.version === "" ? undefined : head.version;
    return undefined;
  }

  protected override contains(key: string): boolean {
    if (this.#find(key) >= 0) return true;
    const head = this.#head;
    if (head === undefined) return false;
    if (key === "interface" || key === "method") return true;
    // The head's strings are decoded once per cached head, not per frame.
    return key === "version" && head.version !== "";
  }

  /** The index in the entries of the last entry whose key lower-cases to `key`, or -1. */
  #find(key: string): number {
    const e = this.#entries;
    const b = this.#frame;
    const n = key.length;
    const first = n === 0 ? 0 : key.charCodeAt(0) | 0x20;
    // The last entry with the key wins, as `Map.set` in wire order would have it. No key of
    // the length asked for: no entry to read.
    const start = (this.#keyLengths & (1 << (n & 31))) === 0 ? -1 : this.#count - ENTRY;
    for (let i = start; i >= 0; i -= ENTRY) {
      const chars = e[i + 1];
      // The common misses: an ASCII key of another length, or another first letter.
      if (chars >= 0 && (e[i + 2] - chars !== n || (n !== 0 && (b[chars] | 0x20) !== first))) {
        continue;
      }
      if (this.#keyMatches(e[i], chars, e[i + 2], key)) return i;
    }
    return -1;
  }

  protected override decodeAll(): Map<string, string> {
    const all = new Map<string, string>();
    const head = this.#head;
    if (head !== undefined) {
      all.set("interface", head.path);
      all.set("method", head.method);
      if (head.version !== "") all.set("version", head.version);
    }
    const e = this.#entries;
    for (let i = 0; i < this.#count; i += ENTRY) {
      const key = readStringAt(this.#frame, e[i]).toLowerCase();
      all.set(key, this.#value(e[i + 2], e[i + 3], e[i + 4]));
    }
    return all;
  }

  /** Whether the key at `at` (ASCII characters from `chars`, else -1) lower-cases to `key`. */
  #keyMatches(at: number, chars: number, end: number, key: string): boolean {
    if (chars >= 0) return lowerAsciiEquals(this.#frame, chars, end, key);
    return readStringAt(this.#frame, at).toLowerCase() === key;
  }

  /**
   * The string whose Hessian bytes are `frame[at, end)` (ASCII characters from `chars`, else
   * -1). A value with the same bytes as the service path or method (such as the `interface`
   * attachment) reuses the head's decoded string.
   */
  #value(at: number, chars: number, end: number): string {
    const head = this.#head;
    if (head !== undefined) {
      const n = end - at;
      const b = this.#frame;
      if (
        n === head.pathEnd - head.pathAt &&
        equalBytes(b, this.#words, this.#shift, at, b, this.#words, this.#shift, head.pathAt, n)
      ) {
        return head.path;
      }
      if (
        n === head.methodEnd - head.methodAt &&
        equalBytes(b, this.#words, this.#shift, at, b, this.#words, this.#shift, head.methodAt, n)
      ) {
        return head.method;
      }
    }
    return chars >= 0 ? asciiString(this.#frame, chars, end) : readStringAt(this.#frame, at);
  }
}
