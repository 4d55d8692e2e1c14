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
import { decodeUtf8, skipUtf8Units } from "./_utf8.ts";
import { HessianReader } from "./hessian_reader.ts";

/** What the walk found at the start of a request body. */
export interface RequestHead {
  /** The service path, decoded (the operation needs it), and its Hessian bytes. */
  readonly path: string;
  readonly pathAt: number;
  readonly pathEnd: number;
  /** The method name, decoded, and its Hessian bytes. */
  readonly method: string;
  readonly methodAt: number;
  readonly methodEnd: number;
  /** Where the service version string starts. */
  readonly versionAt: number;
  /** How many arguments follow. */
  readonly params: number;
}

/**
 * Attachment entries with string keys and values, 4 numbers each: the key's offset, where
 * the key's characters start when it is one chunk of ASCII (else -1), the value's offset
 * (where the key ends) and the value's end.
 */
export type EntryRanges = number[];

/** The metadata of one Dubbo frame, decoded from `frame` when read. */
export class DubboMetadata extends LazyMetadata {
  readonly #frame: Uint8Array;
  readonly #head: RequestHead | undefined;
  readonly #entries: EntryRanges;

  /** `head` is undefined for responses; `entries` as recorded by the attachment walk. */
  constructor(frame: Uint8Array, head: RequestHead | undefined, entries: EntryRanges) {
    super();
    this.#frame = frame;
    this.#head = head;
    this.#entries = entries;
  }

  protected override lookup(key: string): string | undefined {
    const e = this.#entries;
    // The last entry with the key wins, as `Map.set` in wire order would have it.
    for (let i = e.length - 4; i >= 0; i -= 4) {
      if (this.#keyMatches(e[i], e[i + 1], e[i + 2], key)) return this.#value(e[i + 2], e[i + 3]);
    }
    const head = this.#head;
    if (head === undefined) return undefined;
    if (key === "interface") return head.path;
    if (key === "method") return head.method;
    if (key === "version") {
      const version = readStringAt(this.#frame, head.versionAt);
      return version === "" ? undefined : version;
    }
    return undefined;
  }

  protected override decodeAll(): Map<string, string> {
    const all = new Map<string, string>();
    const head = this.#head;
    if (head !== undefined) {
      all.set("interface", head.path);
      all.set("method", head.method);
      const version = readStringAt(this.#frame, head.versionAt);
      if (version !== "") all.set("version", version);
    }
    const e = this.#entries;
    for (let i = 0; i < e.length; i += 4) {
      const key = readStringAt(this.#frame, e[i]).toLowerCase();
      all.set(key, this.#value(e[i + 2], e[i + 3]));
    }
    return all;
  }

  /** Whether the key at `at` (ASCII characters from `chars`, else -1) lower-cases to `key`. */
  #keyMatches(at: number, chars: number, end: number, key: string): boolean {
    if (chars >= 0) return lowerAsciiEquals(this.#frame, chars, end, key);
    return readStringAt(this.#frame, at).toLowerCase() === key;
  }

  /**
   * The string whose Hessian bytes are `frame[at, end)`. A value with the same bytes as the
   * service path or method (such as the `interface` attachment) reuses the decoded string.
   */
  #value(at: number, end: number): string {
    const head = this.#head;
    if (head !== undefined) {
      if (sameBytes(this.#frame, at, end, head.pathAt, head.pathEnd)) return head.path;
      if (sameBytes(this.#frame, at, end, head.methodAt, head.methodEnd)) return head.method;
    }
    return readStringAt(this.#frame, at);
  }
}

function sameBytes(b: Uint8Array, at: number, end: number, other: number, otherEnd: number) {
  if (end - at !== otherEnd - other) return false;
  for (let i = at; i < end; i++) if (b[i] !== b[other + i - at]) return false;
  return true;
}

/**
 * Decodes the Hessian string at `frame[at]`, which the body walk has already checked: a
 * compact one-chunk string inline, any other form through a reader. Never throws.
 */
export function readStringAt(frame: Uint8Array, at: number): string {
  const tag = frame[at];
  let start = -1;
  let units = 0;
  if (tag < 0x20) {
    start = at + 1;
    units = tag;
  } else if (tag >= 0x30 && tag <= 0x33) {
    start = at + 2;
    units = ((tag - 0x30) << 8) | frame[at + 1];
  }
  if (start >= 0) {
    const end = skipUtf8Units(frame, start, frame.length, units);
    if (end >= 0) return decodeUtf8(frame, start, end);
  }
  return new HessianReader(frame, at, frame.length).readString();
}
