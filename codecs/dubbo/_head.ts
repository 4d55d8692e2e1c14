/**
 * The head of a Dubbo request body — Dubbo version, service path, service version, method
 * name and parameter types, five Hessian strings — and a bounded cache of heads.
 *
 * The head's bytes repeat exactly across the calls of one method, so the codec keeps the
 * heads it has walked in {@link HEAD_CACHE_SLOTS} slots and reuses one (its decoded
 * strings and argument count) when the next frame starts with the very same bytes. This
 * table is the Dubbo codec's only module-level state: it is bounded (64 slots of at most
 * {@link MAX_CACHED_HEAD} bytes each, direct-mapped, a newer head replaces an older one in
 * its slot), it holds copies of head bytes only (never a reference to a caller's buffer),
 * and it never changes a result: a slot is used only when the frame's bytes are equal to
 * the bytes it was built from, which the head walk reads nothing beyond.
 *
 * @module
 */

import { HEADER_SIZE } from "./header.ts";
import { readStringAt } from "./hessian_reader.ts";
import { equalBytes, wordView } from "./_utf8.ts";

const EMPTY_WORDS = new Int32Array(0);

/** What the walk found at the start of a request body; offsets are absolute in the frame. */
export class RequestHead {
  /** The bytes the offsets point into: the frame, or the cache's copy of its head. */
  readonly #source: Uint8Array;
  #path: string | undefined;
  #method: string | undefined;
  #version: string | undefined;
  #operation: string | undefined;
  /** The word view of a detached copy (see {@link detach}). */
  #words: Int32Array = EMPTY_WORDS;
  /** The alignment of the word view. */
  #shift = 0;
  /**
   * How the optimistic walk (see `_hop.ts`) has fared on this head's frames: the misses in a
   * row, and the decodes since the last try.
   */
  #misses = 0;
  #skipped = 0;

  constructor(
    source: Uint8Array,
    /** The service path's Hessian bytes. */
    readonly pathAt: number,
    readonly pathEnd: number,
    /** The method name's Hessian bytes. */
    readonly methodAt: number,
    readonly methodEnd: number,
    /** Where the service version string starts. */
    readonly versionAt: number,
    /** How many arguments follow. */
    readonly params: number,
    /** Where the head ends and the first argument starts. */
    readonly end: number,
  ) {
    this.#source = source;
  }

  /**
   * Whether to try the optimistic walk on the next frame with this head. After
   * {@link HOP_MISSES} misses in a row (arguments that are not ASCII, such as Chinese
   * text, make every try a miss), it is tried only once every {@link HOP_RETRY} frames,
   * so such traffic pays the exact walk alone.
   */
  tryHop(): boolean {
    if (this.#misses < HOP_MISSES) return true;
    if (++this.#skipped < HOP_RETRY) return false;
    this.#skipped = 0;
    return true;
  }

  /** Records how the optimistic walk fared on a frame with this head. */
  hopped(exact: boolean): void {
    this.#misses = exact ? 0 : this.#misses + 1;
  }

  /** The service path (the `interface` metadata), decoded on first use. */
  get path(): string {
    return this.#path ??= readStringAt(this.#source, this.pathAt);
  }

  /** The method name, decoded on first use. */
  get method(): string {
    return this.#method ??= readStringAt(this.#source, this.methodAt);
  }

  /** The service version ("" when the client sent none), decoded on first use. */
  get version(): string {
    return this.#version ??= readStringAt(this.#source, this.versionAt);
  }

  /** `service/method`, the span name of the call. */
  get operation(): string {
    return this.#operation ??= this.path + "/" + this.method;
  }

  /**
   * The same head over a private copy of its bytes, fit to outlive the frame. The copy is
   * placed at the frame's alignment (`shift`), so that {@link matches} can compare words.
   */
  detach(frame: Uint8Array, shift: number): RequestHead {
    const copy = new Uint8Array(new ArrayBuffer(this.end + 4), shift, this.end);
    copy.set(frame.subarray(HEADER_SIZE, this.end), HEADER_SIZE);
    const head = new RequestHead(
      copy,
      this.pathAt,
      this.pathEnd,
      this.methodAt,
      this.methodEnd,
      this.versionAt,
      this.params,
      this.end,
    );
    head.#words = wordView(copy);
    head.#shift = shift;
    return head;
  }

  /**
   * Whether `frame` holds this detached head's bytes after the Dubbo header; `words` and
   * `shift` are the frame's {@link wordView}.
   */
  matches(frame: Uint8Array, words: Int32Array, shift: number): boolean {
    const end = this.end;
    if (end > frame.length) return false;
    const own = this.#source;
    const n = end - HEADER_SIZE;
    return equalBytes(
      own,
      this.#words,
      this.#shift,
      HEADER_SIZE,
      frame,
      words,
      shift,
      HEADER_SIZE,
      n,
    );
  }
}

/** Misses of the optimistic walk in a row after which a head stops trying it every time. */
export const HOP_MISSES = 4;
/** A head that stopped trying the optimistic walk tries it again once in this many frames. */
export const HOP_RETRY = 32;

const SLOT_BITS = 6;
/** How many heads the cache keeps. */
export const HEAD_CACHE_SLOTS = 1 << SLOT_BITS;
/** Heads longer than this (in bytes, Dubbo header included) are never cached. */
export const MAX_CACHED_HEAD = 1024;

const slots: (RequestHead | undefined)[] = new Array(HEAD_CACHE_SLOTS).fill(undefined);

/**
 * The cache slot of the head of `frame`, or -1 when its first four strings are not all
 * compact (0-1023 units). The hash reads the lengths of the strings, two bytes of the
 * service path and every byte of the method name, as if they were ASCII; it only picks a slot —
 * {@link RequestHead.matches} decides.
 */
export function headSlot(frame: Uint8Array): number {
  const end = frame.length;
  let p = HEADER_SIZE;
  let h = 0;
  for (let i = 0; i < 4; i++) {
    if (p + 1 >= end) return -1;
    const tag = frame[p];
    let n: number;
    if (tag < 0x20) {
      n = tag;
      p++;
    } else if (tag >= 0x30 && tag <= 0x33) {
      n = ((tag - 0x30) << 8) | frame[p + 1];
      p += 2;
    } else {
      return -1;
    }
    h = Math.imul(h ^ n, 0x9e3779b1);
    // The service path (1) and the method name (3) tell heads apart; versions rarely do.
    // Methods of one service share the rest: every byte of the method name counts.
    if (n > 0 && p + n <= end) {
      if (i === 1) {
        h = Math.imul(h ^ frame[p + (n >> 1)] ^ (frame[p + n - 1] << 8), 0x01000193);
      } else if (i === 3) {
        for (let k = p; k < p + n; k++) h = Math.imul(h ^ frame[k], 0x01000193);
      }
    }
    p += n;
  }
  return h >>> (32 - SLOT_BITS);
}

/** The cached head in `slot` if `frame` (whose {@link wordView} is `words`) starts with it. */
export function cachedHead(
  frame: Uint8Array,
  words: Int32Array,
  shift: number,
  slot: number,
): RequestHead | undefined {
  const head = slots[slot];
  return head !== undefined && head.matches(frame, words, shift) ? head : undefined;
}

/** Keeps a detached copy of `head` (walked from `frame`) in `slot`, if it is small enough. */
export function rememberHead(
  frame: Uint8Array,
  shift: number,
  slot: number,
  head: RequestHead,
): void {
  if (head.end <= MAX_CACHED_HEAD) slots[slot] = head.detach(frame, shift);
}
