/**
 * Dubbo attachments: the Hessian map that ends request bodies (and responses of result
 * types 3-5). Reading records where the string entries are; rebuilding writes a new map
 * with a mutation applied, copying every other entry byte for byte.
 *
 * @module
 */

import type { Mutation } from "../codec.ts";
import { ENTRY, type EntryRanges } from "./_metadata.ts";
import { HessianReader, hex, isStringTag } from "./hessian_reader.ts";
import { nonAsciiFrom } from "./_utf8.ts";
import { enterContainer, skipType, skipValue, skipValuesAt } from "./hessian_walker.ts";
import { HessianWriter } from "./hessian_writer.ts";

/** What the Dubbo codec remembers about a decoded frame (the opaque `Message.detail`). */
export interface DubboDetail {
  readonly codec: "dubbo";
  /** `failure` is a response whose status is not OK: its body is an error message. */
  readonly kind: "request" | "response" | "heartbeat" | "failure";
  /** The flag byte of the header. */
  readonly flag: number;
  /** Frame offset of the attachment map, or where one goes when there is none. */
  readonly attachmentStart: number;
  /** Frame offset just past the map; equal to `attachmentStart` when there is none. */
  readonly attachmentEnd: number;
  /** Whether the body has an attachment slot (requests; result types 3-5). */
  readonly hasSlot: boolean;
  /** The response result type (0-5); -1 otherwise. */
  readonly resultType: number;
  /** Frame offset just past the result type int; 0 for requests. */
  readonly resultTypeEnd: number;
  /** Field counts of the class definitions of the body (the stream's class table). */
  readonly classes: readonly number[];
  /** How many of `classes` were defined before the attachments. */
  readonly classCount: number;
}

/** Type guard for a {@link DubboDetail}. */
export function isDubboDetail(detail: unknown): detail is DubboDetail {
  return typeof detail === "object" && detail !== null &&
    (detail as { codec?: unknown }).codec === "dubbo";
}

/** Consumes a map's tag (and type); the reader is then at its first entry. */
function openMap(r: HessianReader): boolean {
  const tag = r.peek();
  if (tag === 0x48) {
    r.pos++;
    return true;
  }
  if (tag === 0x4d) {
    r.pos++;
    return skipType(r);
  }
  return r.fail(`attachments must be a Hessian map, found tag ${hex(tag)}`);
}

/**
 * Walks the attachment map at the reader's position, writing into `entries` from index 0
 * where each entry with a string key and a string value is (see {@link EntryRanges}); no
 * strings are created. Returns how many numbers it wrote, or -1 with the reader failed. No
 * bytes left means no attachments.
 */
export function readAttachments(r: HessianReader, entries: EntryRanges): number {
  if (r.pos >= r.end) return 0;
  const at = r.pos;
  if (!openMap(r) || !enterContainer(r, at)) return -1;
  const b = r.bytes;
  const end = r.end;
  // The reader's known-ASCII span (see `HessianReader.asciiFrom`), synced around calls out.
  let lo = r.asciiFrom;
  let hi = r.asciiTo;
  let p = r.pos;
  let n = 0;
  for (;;) {
    if (p >= end) return r.truncated() ? 0 : -1;
    const keyAt = p;
    const tag = b[p];
    if (tag === 0x5a) {
      r.pos = p + 1;
      r.depth--;
      r.asciiFrom = lo;
      r.asciiTo = hi;
      return n;
    }
    // The characters of a one-chunk ASCII key are compared in place; others are decoded.
    let chars = -1;
    let stop = -1;
    if (tag < 0x20) {
      chars = p + 1;
      stop = chars + tag;
    } else if (tag >= 0x30 && tag <= 0x33 && p + 1 < end) {
      chars = p + 2;
      stop = chars + (((tag - 0x30) << 8) | b[p + 1]);
    }
    if (chars >= 0 && stop <= end) {
      if (chars < lo || chars > hi) {
        lo = chars;
        hi = nonAsciiFrom(b, r.words, r.shift, chars, end);
      }
      if (stop > hi) chars = -1;
    } else {
      chars = -1;
    }
    if (chars < 0) {
      r.asciiFrom = lo;
      r.asciiTo = hi;
      if (isStringTag(tag)) {
        r.pos = p;
        const final = r.readStringChunk();
        if (final < 0) return -1;
        if (final === 1 && r.chunkEnd - r.chunkStart === r.chunkUnits) chars = r.chunkStart;
        if (final === 0 && !r.skipString()) return -1;
        stop = r.pos;
      } else {
        // A key that is not a string: its entry is no metadata.
        p = skipValuesAt(r, p, 2);
        if (p < 0) return -1;
        lo = r.asciiFrom;
        hi = r.asciiTo;
        continue;
      }
      lo = r.asciiFrom;
      hi = r.asciiTo;
    }
    const valueAt = p = stop;
    if (p >= end) return r.truncated() ? 0 : -1;
    const valueTag = b[p];
    let valueChars = -1;
    if (valueTag < 0x20) {
      valueChars = p + 1;
      stop = valueChars + valueTag;
    } else if (valueTag >= 0x30 && valueTag <= 0x33 && p + 1 < end) {
      valueChars = p + 2;
      stop = valueChars + (((valueTag - 0x30) << 8) | b[p + 1]);
    }
    if (valueChars >= 0 && stop <= end) {
      if (valueChars < lo || valueChars > hi) {
        lo = valueChars;
        hi = nonAsciiFrom(b, r.words, r.shift, valueChars, end);
      }
      if (stop <= hi) {
        entries[n] = keyAt;
        entries[n + 1] = chars;
        entries[n + 2] = valueAt;
        entries[n + 3] = valueChars;
        entries[n + 4] = stop;
        n += ENTRY;
        p = stop;
        continue;
      }
    }
    r.asciiFrom = lo;
    r.asciiTo = hi;
    if (isStringTag(valueTag)) {
      r.pos = p;
      if (!r.skipString()) return -1;
      p = r.pos;
      n = record(entries, n, keyAt, chars, valueAt, -1, p);
    } else {
      p = skipValuesAt(r, p, 1);
      if (p < 0) return -1;
    }
    lo = r.asciiFrom;
    hi = r.asciiTo;
  }
}

function record(
  e: EntryRanges,
  n: number,
  keyAt: number,
  chars: number,
  valueAt: number,
  valueChars: number,
  end: number,
): number {
  e[n] = keyAt;
  e[n + 1] = chars;
  e[n + 2] = valueAt;
  e[n + 3] = valueChars;
  e[n + 4] = end;
  return n + ENTRY;
}

/** The outcome of {@link rebuildAttachments}. */
export type RebuildResult =
  | { readonly kind: "unchanged" }
  | { readonly kind: "map"; readonly bytes: Uint8Array }
  | { readonly kind: "unsupported"; readonly reason: string };

const UNCHANGED: RebuildResult = { kind: "unchanged" };

/**
 * The writer of rebuilt maps, reused: a map is copied into the encoded frame before the
 * next one is built (encoding is synchronous).
 */
const mapWriter = new HessianWriter(1024);

/**
 * Writes the attachment map of `frame` with `mutation` applied: entries whose key equals a
 * mutation key (exactly, as Dubbo's `Map.put` would) get the new string value; the other
 * entries are copied unchanged; new keys are appended in mutation order. The bytes of a
 * `map` result are valid until the next call.
 */
export function rebuildAttachments(
  frame: Uint8Array,
  detail: DubboDetail,
  mutation: Mutation,
): RebuildResult {
  const w = mapWriter.reset();
  const keys = [...mutation.keys()];
  const applied: boolean[] = keys.map(() => false);
  let changed = false;
  if (detail.attachmentEnd === detail.attachmentStart) {
    w.byte(0x48);
  } else {
    const r = new HessianReader(
      frame,
      detail.attachmentStart,
      detail.attachmentEnd,
      detail.classes.slice(0, detail.classCount),
    );
    if (!openMap(r)) return unsupported(`cannot re-read the attachments: ${r.error}`);
    // Unchanged bytes are copied in runs: from `from` to the next replaced value.
    let from = detail.attachmentStart;
    while (r.peek() !== 0x5a) {
      const index = isStringTag(r.peek()) ? mutationKeyAt(r, keys) : -1;
      if (index === -1 && !skipValue(r)) break;
      if (r.failed) break;
      const valueStart = r.pos;
      const replaced = index >= 0;
      const key = replaced ? keys[index] : "";
      const next = replaced ? mutation.get(key)! : "";
      const refables = r.refables;
      const classes = r.classes.length;
      const old = replaced && isStringTag(r.peek()) ? r.readString() : undefined;
      if (old === undefined && !skipValue(r)) break;
      if (!replaced || old === next) {
        if (replaced) applied[index] = true;
        continue;
      }
      if (r.refables !== refables || r.classes.length !== classes) {
        // Dropping a list, map or object would renumber later Hessian references.
        return unsupported(`attachment "${key}" holds a structured value, not a string`);
      }
      w.copy(frame, from, valueStart).string(next);
      from = r.pos;
      applied[index] = true;
      changed = true;
    }
    if (r.failed) return unsupported(`cannot re-read the attachments: ${r.error}`);
    w.copy(frame, from, r.pos); // up to the closing "Z"
  }
  for (let i = 0; i < keys.length; i++) {
    if (applied[i]) continue;
    w.string(keys[i]).string(mutation.get(keys[i])!);
    changed = true;
  }
  if (!changed) return UNCHANGED;
  return { kind: "map", bytes: w.byte(0x5a).finish() };
}

/**
 * Reads the string key at the reader and returns the index in `keys` of the one it equals,
 * or -2 when none does (the reader is then past the key). A compact ASCII key is compared
 * in place; any other is decoded.
 */
function mutationKeyAt(r: HessianReader, keys: readonly string[]): number {
  const b = r.bytes;
  const p = r.pos;
  const stop = r.asciiStringEnd(p);
  if (stop < 0) {
    const key = r.readString();
    return r.failed ? -2 : keys.indexOf(key) >= 0 ? keys.indexOf(key) : -2;
  }
  r.pos = stop;
  const chars = b[p] < 0x20 ? p + 1 : p + 2;
  const n = stop - chars;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    if (key.length !== n) continue;
    let i = 0;
    while (i < n && b[chars + i] === key.charCodeAt(i)) i++;
    if (i === n) return k;
  }
  return -2;
}

function unsupported(detail: string): RebuildResult {
  return {
    kind: "unsupported",
    reason: `Cannot write the mutation into Dubbo attachments: ${detail}`,
  };
}
