/**
 * A small Hessian 2 writer: just what the Dubbo codec writes — strings, null, compact ints,
 * maps of strings, and raw byte copies — into a growable buffer (from `../_bytes.ts`).
 *
 * @module
 */

import { allocBytes, copyBytes } from "../_bytes.ts";
import { encodeCesu8 } from "./_utf8.ts";

/** Longest string chunk, in UTF-16 units (Java's Hessian2Output uses 0x8000 too). */
const MAX_CHUNK = 0x8000;

/** Appends Hessian 2 values to a growable byte buffer. */
export class HessianWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(capacity = 256) {
    this.#buf = allocBytes(capacity);
  }

  /** Forgets what was written, keeping the buffer for the next bytes. */
  reset(): this {
    this.#len = 0;
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = allocBytes(size);
    copyBytes(next, 0, this.#buf, 0, this.#len);
    this.#buf = next;
  }

  /** Appends one byte. */
  byte(b: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  /** Appends `src[start, end)` unchanged. */
  copy(src: Uint8Array, start = 0, end = src.length): this {
    const n = end - start;
    if (n <= 0) return this;
    this.#reserve(n);
    copyBytes(this.#buf, this.#len, src, start, end);
    this.#len += n;
    return this;
  }

  /** Appends a big-endian 32-bit int (not a Hessian value: a raw field). */
  int32(v: number): this {
    this.#reserve(4);
    const b = this.#buf;
    const at = this.#len;
    b[at] = v >>> 24;
    b[at + 1] = (v >>> 16) & 0xff;
    b[at + 2] = (v >>> 8) & 0xff;
    b[at + 3] = v & 0xff;
    this.#len += 4;
    return this;
  }

  /** Appends Hessian null (`N`). */
  null(): this {
    return this.byte(0x4e);
  }

  /** Appends a Hessian int between -16 and 47 in its one-byte form. */
  smallInt(v: number): this {
    return this.byte(0x90 + v);
  }

  /**
   * Appends a Hessian string: CESU-8 data (what Java's Hessian reads), the shortest length
   * form, and `R` chunks of at most 0x8000 units that never split a surrogate pair.
   */
  string(s: string): this {
    let from = 0;
    let left = s.length;
    while (left > MAX_CHUNK) {
      let n = MAX_CHUNK;
      const tail = s.charCodeAt(from + n - 1);
      if (tail >= 0xd800 && tail <= 0xdbff) n--;
      this.byte(0x52).byte(n >> 8).byte(n & 0xff);
      this.#chars(s, from, from + n);
      from += n;
      left -= n;
    }
    if (left <= 0x1f) {
      this.byte(left);
    } else if (left <= 0x3ff) {
      this.byte(0x30 + (left >> 8)).byte(left & 0xff);
    } else {
      this.byte(0x53).byte(left >> 8).byte(left & 0xff);
    }
    this.#chars(s, from, s.length);
    return this;
  }

  #chars(s: string, from: number, to: number): void {
    this.#reserve((to - from) * 3);
    this.#len = encodeCesu8(s, from, to, this.#buf, this.#len);
  }

  /** Appends an untyped map (`H ... Z`) of string keys and values. */
  stringMap(entries: Iterable<readonly [string, string]>): this {
    this.byte(0x48);
    for (const [k, v] of entries) this.string(k).string(v);
    return this.byte(0x5a);
  }

  /** The bytes written, as a view of the internal buffer (do not write afterwards). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}
