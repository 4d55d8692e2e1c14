/**
 * Dubbo bodies (data-plane spec §5.1), walked without building values.
 *
 * Request: dubbo version, service path, service version, method name (strings), the
 * parameter types as JVM descriptors, one value per parameter, then the attachment map
 * (absent in old clients). Response with status OK: a result type int, then the value
 * (types 1, 4) or the exception (types 0, 3), then the attachment map (types 3, 4, 5).
 *
 * @module
 */

import { cachedHead, headSlot, rememberHead, RequestHead } from "./_head.ts";
import { DubboMetadata, type EntryRanges, newEntries } from "./_metadata.ts";
import { type DubboDetail, readAttachments } from "./attachments.ts";
import { HEADER_SIZE } from "./header.ts";
import { HessianReader } from "./hessian_reader.ts";
import { skipValue } from "./hessian_walker.ts";
import { hopAttachments, hopBegin, hopEnd, hopKeyLengths, hopValues, hopVerified } from "./_hop.ts";
import { wordView } from "./_utf8.ts";

/**
 * A decoded body: the codec's detail of the frame (it becomes `Message.detail`, one object
 * for both), with the metadata and the request head.
 */
export interface DecodedBody extends DubboDetail {
  readonly ok: true;
  readonly metadata: ReadonlyMap<string, string>;
  /** The head of a request (it names the operation); undefined for responses. */
  readonly head: RequestHead | undefined;
}

/** A decoded body, or why it could not be decoded. */
export type BodyResult =
  | DecodedBody
  | { readonly ok: false; readonly reason: string; readonly offset: number };

/** Result types of a response: 0/3 carry an exception; 3, 4 and 5 carry attachments. */
export const RESULT_EXCEPTION = 0;
/** @see RESULT_EXCEPTION */
export const RESULT_WITH_ATTACHMENTS = 3;

// JVM descriptor letters of primitive types (and void, which upstream counts too).
const PRIMITIVE = new Uint8Array(128);
for (const c of "VZBCDFIJS") PRIMITIVE[c.charCodeAt(0)] = 1;

/**
 * Decodes the request body of `frame` (whose body ends at `frame.length`). `optimistic`
 * (tests turn it off) tries the walk of `_hop.ts` before the exact one.
 */
export function decodeRequestBody(frame: Uint8Array, flag: number, optimistic = true): BodyResult {
  const end = frame.length;
  const words = wordView(frame);
  const shift = frame.byteOffset & 3;
  const slot = headSlot(frame);
  let head = slot >= 0 ? cachedHead(frame, words, shift, slot) : undefined;
  if (head === undefined) {
    const r = new HessianReader(frame, HEADER_SIZE, end, [], words);
    head = readHead(r, slot);
    if (head === undefined) return failed(r, "request", r.context);
  }
  const argsAt = head.end;
  const entries: EntryRanges = newEntries();
  let classes: number[] = [];
  let classCount = 0;
  // The optimistic walk first (see `_hop.ts`), the exact one when it cannot vouch for itself.
  // A head whose frames keep defeating it skips it for a while (see `RequestHead.tryHop`).
  const hop = optimistic && head.tryHop();
  let attachmentStart = -1;
  let count = -1;
  let attachmentEnd = 0;
  let keyLengths = -1; // unknown: every lookup reads the entries
  if (hop) {
    hopBegin();
    attachmentStart = hopValues(frame, end, classes, argsAt, head.params);
    if (attachmentStart >= 0) {
      classCount = classes.length;
      count = hopAttachments(frame, end, classes, attachmentStart, entries);
      attachmentEnd = hopEnd;
      keyLengths = hopKeyLengths;
    }
    if (count >= 0 && !hopVerified(frame, words, shift, argsAt, attachmentEnd)) count = -1;
    head.hopped(count >= 0);
  }
  if (count < 0) {
    keyLengths = -1;
    const r = new HessianReader(frame, argsAt, end, [], words);
    for (let i = 0; i < head.params; i++) {
      if (!skipValue(r)) return failed(r, "request", `argument ${i + 1} of ${head.params}`);
    }
    classes = r.classes;
    classCount = classes.length;
    attachmentStart = r.pos;
    count = readAttachments(r, entries);
    if (count < 0) return failed(r, "request", "the attachments");
    attachmentEnd = r.pos;
  }
  return {
    ok: true,
    metadata: new DubboMetadata(frame, head, entries, count, words, shift, keyLengths),
    head,
    codec: "dubbo",
    kind: "request",
    flag,
    attachmentStart,
    attachmentEnd,
    hasSlot: true,
    resultType: -1,
    resultTypeEnd: 0,
    classes,
    classCount,
  };
}

/**
 * Reads the Dubbo version, service path, service version, method name and parameter types
 * without decoding them, leaves the reader at the first argument, and keeps the head in the
 * cache `slot` (if not -1) for the next frame that starts with the same bytes.
 */
function readHead(r: HessianReader, slot: number): RequestHead | undefined {
  const frame = r.bytes;
  r.context = "the Dubbo version";
  if (!r.skipString()) return undefined;
  r.context = "the service path";
  const pathAt = r.pos;
  if (!r.skipString()) return undefined;
  const pathEnd = r.pos;
  r.context = "the service version";
  const versionAt = r.pos;
  if (!r.skipString()) return undefined;
  r.context = "the method name";
  const methodAt = r.pos;
  if (!r.skipString()) return undefined;
  const methodEnd = r.pos;
  r.context = "the parameter types";
  const params = countParameterTypes(r);
  if (params < 0) return undefined;
  const head = new RequestHead(
    frame,
    pathAt,
    pathEnd,
    methodAt,
    methodEnd,
    versionAt,
    params,
    r.pos,
  );
  if (slot >= 0) rememberHead(frame, r.shift, slot, head);
  return head;
}

/** Decodes the body of a response whose status is OK. */
export function decodeResponseBody(frame: Uint8Array, flag: number): BodyResult {
  const r = new HessianReader(frame, HEADER_SIZE, frame.length);
  const typeAt = r.pos;
  const resultType = r.readInt();
  if (r.failed) return failed(r, "response", "the result type");
  if (resultType < 0 || resultType > 5) {
    r.fail(`result type ${resultType} is not between 0 and 5`, typeAt);
    return failed(r, "response", "the result type");
  }
  const resultTypeEnd = r.pos;
  const hasValue = resultType % 3 !== 2; // types 2 and 5 are a null value without bytes
  if (hasValue && !skipValue(r)) {
    return failed(r, "response", resultType % 3 === 0 ? "the exception" : "the return value");
  }
  const classCount = r.classes.length;
  const attachmentStart = r.pos;
  const hasSlot = resultType >= RESULT_WITH_ATTACHMENTS;
  const entries: EntryRanges = hasSlot ? newEntries() : [];
  const count = hasSlot ? readAttachments(r, entries) : 0;
  if (count < 0) return failed(r, "response", "the attachments");
  return {
    ok: true,
    metadata: new DubboMetadata(frame, undefined, entries, count, r.words, r.shift, -1),
    head: undefined,
    codec: "dubbo",
    kind: "response",
    flag,
    attachmentStart,
    // Bytes after the value of a type without attachments are left where they are.
    attachmentEnd: hasSlot ? r.pos : attachmentStart,
    hasSlot,
    resultType,
    resultTypeEnd,
    classes: r.classes,
    classCount,
  };
}

/**
 * Counts the parameters in a JVM descriptor string such as `Ljava/lang/String;[I` (2),
 * reading its bytes in place. Returns -1 (with the reader failed) on a malformed one.
 */
function countParameterTypes(r: HessianReader): number {
  const b = r.bytes;
  const at = r.pos;
  let count = 0;
  let inClass = false;
  let inArray = false;
  for (;;) {
    const final = r.readStringChunk();
    if (final < 0) return -1;
    for (let i = r.chunkStart; i < r.chunkEnd; i++) {
      const c = b[i];
      if (inClass) {
        if (c === 0x3b) inClass = false; // ';'
        continue;
      }
      if (c === 0x5b) { // '['
        inArray = true;
        continue;
      }
      inArray = false;
      if (c === 0x4c) { // 'L'
        inClass = true;
        count++;
      } else if (c < 128 && PRIMITIVE[c] === 1) {
        count++;
      } else {
        r.fail(`"${String.fromCharCode(c)}" is not a JVM type descriptor letter`, i);
        return -1;
      }
    }
    if (final === 1) break;
  }
  if (inClass || inArray) {
    r.fail("the descriptor ends inside a type", at);
    return -1;
  }
  return count;
}

function failed(r: HessianReader, side: string, what: string): BodyResult {
  return {
    ok: false,
    reason: `Cannot decode Dubbo ${side} body: ${what}: ${r.error}`,
    offset: r.errorAt,
  };
}
