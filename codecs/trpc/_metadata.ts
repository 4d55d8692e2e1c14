/**
 * The metadata of a decoded tRPC frame: a {@link LazyMetadata} over the byte ranges of the
 * header strings and `trans_info` entries recorded by the header reader.
 *
 * @module
 */
import { LazyMetadata, matchAsciiKey } from "../_lazy_metadata.ts";
import { utf8 } from "./_wire.ts";

/** Header string fields, by the index the header reader records. */
export const HEADER_FIELDS = ["caller", "callee", "func", "error_msg"] as const;
const ERROR_MSG = 3;

/**
 * Keys a `trans_info` entry may not take: header field names, so a client cannot spoof
 * `func` (or hide the real one) through trans_info.
 */
export const HEADER_FIELD_NAMES: ReadonlySet<string> = new Set(HEADER_FIELDS);

/** Where the strings of one header are, as recorded by the header reader. */
export interface MetadataRanges {
  /** Fields present even when absent on the wire ("" then), as proto3 omits empty strings. */
  always: readonly string[];
  /** Header fields in wire order: `[field index, start, end]` repeated. */
  readonly named: number[];
  /** trans_info entries in wire order: `[keyStart, keyEnd, valueStart, valueEnd]` repeated. */
  readonly entries: number[];
}

/** Lower-cased header and trans_info strings of one frame, decoded when first read. */
export class HeaderMetadata extends LazyMetadata {
  readonly #buf: Uint8Array;
  readonly #ranges: MetadataRanges;

  constructor(buf: Uint8Array, ranges: MetadataRanges) {
    super();
    this.#buf = buf;
    this.#ranges = ranges;
  }

  /**
   * Decodes only the value of `key` (each time: values are short and routers read few
   * keys), unless some trans_info key is not ASCII and needs full Unicode folding.
   */
  protected override lookup(key: string): string | undefined {
    const { named, entries, always } = this.#ranges;
    const field = HEADER_FIELDS.indexOf(key as typeof HEADER_FIELDS[number]);
    if (field >= 0) {
      for (let i = named.length - 3; i >= 0; i -= 3) {
        if (named[i] !== field) continue;
        const value = utf8(this.#buf, named[i + 1], named[i + 2]);
        // An empty error text is no error text: an earlier one, if any, stands.
        if (value !== "" || field !== ERROR_MSG) return value;
      }
      return always.includes(key) ? "" : undefined;
    }
    for (let i = entries.length - 4; i >= 0; i -= 4) {
      const match = matchAsciiKey(this.#buf, entries[i], entries[i + 1], key);
      if (match < 0) return this.all().get(key);
      if (match > 0) return utf8(this.#buf, entries[i + 2], entries[i + 3]);
    }
    return undefined;
  }

  protected override decodeAll(): Map<string, string> {
    const { named, entries, always } = this.#ranges;
    const buf = this.#buf;
    const all = new Map<string, string>();
    for (const key of always) all.set(key, "");
    for (let i = 0; i < named.length; i += 3) {
      const value = utf8(buf, named[i + 1], named[i + 2]);
      if (value !== "" || named[i] !== ERROR_MSG) all.set(HEADER_FIELDS[named[i]], value);
    }
    for (let i = 0; i < entries.length; i += 4) {
      const key = utf8(buf, entries[i], entries[i + 1]).toLowerCase();
      if (!HEADER_FIELD_NAMES.has(key)) all.set(key, utf8(buf, entries[i + 2], entries[i + 3]));
    }
    return all;
  }
}
