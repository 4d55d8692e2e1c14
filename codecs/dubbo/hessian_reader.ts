/**
 * A zero-copy Hessian 2 reader: it reads the few values the codec keeps (ints, strings) and
 * hands everything else to the structural walker in `hessian_walker.ts`.
 *
 * Nothing here throws: a failure records `error` (a sentence fragment) and `errorAt` (an
 * offset into `bytes`), and the method returns a neutral value; callers check `failed`.
 *
 * @module
 */

import {
  asciiString,
  compactStart,
  decodeUtf8,
  nonAsciiFrom,
  skipUtf8Units,
  UTF8_BAD_LEAD,
  UTF8_TRUNCATED,
  wordView,
} from "./_utf8.ts";

/** The default limit on nested lists, maps and objects. */
export const DEFAULT_MAX_DEPTH = 512;

/** Formats a byte as `0x4e` for error messages. */
export function hex(b: number): string {
  return "0x" + b.toString(16).padStart(2, "0");
}

/** Whether `tag` starts a Hessian 2 string (any form, including a non-final chunk). */
export function isStringTag(tag: number): boolean {
  return (tag >= 0 && tag <= 0x1f) || (tag >= 0x30 && tag <= 0x33) || tag === 0x52 || tag === 0x53;
}

/** Whether `tag` starts a Hessian 2 int (any form). */
export function isIntTag(tag: number): boolean {
  return (tag >= 0x80 && tag <= 0xd7) || tag === 0x49;
}

/** A cursor over Hessian 2 bytes `[pos, end)` of a buffer, with the stream's class table. */
export class HessianReader {
  /** The whole input; offsets are absolute in it. */
  readonly bytes: Uint8Array;
  /** The next byte to read. */
  pos: number;
  /** One past the last byte this reader may read. */
  readonly end: number;
  /** Why reading failed; empty while it has not. */
  error = "";
  /** Where reading failed. */
  errorAt = 0;
  /** Field counts of the class definitions seen so far, by definition index. */
  classes: number[];
  /** How many lists, maps and objects (the values a `Q` reference can name) were seen. */
  refables = 0;
  /** Current nesting of lists, maps and objects. */
  depth = 0;
  /** Nesting beyond this is invalid. */
  readonly maxDepth: number;
  /** What is being read, for error messages. */
  context = "";
  /** The byte span of the last string chunk read by {@link readStringChunk}. */
  chunkStart = 0;
  /** @see chunkStart */
  chunkEnd = 0;
  /** The UTF-16 units of the last string chunk read. */
  chunkUnits = 0;
  /** The {@link wordView} of `bytes`, for scans that read four bytes at a time. */
  readonly words: Int32Array;
  /** Byte `i` of `bytes` is byte `i + shift` of `words`. */
  readonly shift: number;

  /** `words`, when given, is the {@link wordView} of `bytes` (made here otherwise). */
  constructor(
    bytes: Uint8Array,
    pos: number,
    end: number,
    classes: number[] = [],
    words: Int32Array = wordView(bytes),
  ) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.classes = classes;
    this.maxDepth = DEFAULT_MAX_DEPTH;
    this.words = words;
    this.shift = bytes.byteOffset & 3;
  }

  /**
   * Bytes `[asciiFrom, asciiTo)` are known to be ASCII, and `asciiTo` is the offset of a
   * non-ASCII byte (or `end`): one forward scan answers {@link isAscii} for every string
   * that starts in that span, so most strings cost two comparisons instead of a scan each.
   */
  asciiFrom = 0;
  /** @see asciiFrom */
  asciiTo = 0;

  /**
   * Whether the bytes `[i, stop)` (with `i <= stop <= end`) are all ASCII. Walks go forward,
   * so each byte is scanned at most once per reader.
   */
  isAscii(i: number, stop: number): boolean {
    if (i < this.asciiFrom || i > this.asciiTo) {
      this.asciiFrom = i;
      this.asciiTo = nonAsciiFrom(this.bytes, this.words, this.shift, i, this.end);
    }
    return stop <= this.asciiTo;
  }

  /**
   * Where the string at `p` ends if it is one compact chunk (tags 0x00-0x1f and 0x30-0x33)
   * of ASCII characters, wholly before `end`; -1 for any other string.
   */
  asciiStringEnd(p: number): number {
    if (p >= this.end) return -1;
    const b = this.bytes;
    const tag = b[p];
    let i: number;
    if (tag < 0x20) {
      i = p + 1;
    } else if (tag >= 0x30 && tag <= 0x33 && p + 1 < this.end) {
      i = p + 2;
    } else {
      return -1;
    }
    const stop = tag < 0x20 ? i + tag : i + (((tag - 0x30) << 8) | b[p + 1]);
    return stop <= this.end && this.isAscii(i, stop) ? stop : -1;
  }

  /** Whether a read has failed. */
  get failed(): boolean {
    return this.error !== "";
  }

  /** Records the first failure; always returns false. */
  fail(reason: string, at: number = this.pos): false {
    if (this.error === "") {
      this.error = reason;
      this.errorAt = at;
    }
    return false;
  }

  /** Records a truncation at the end of the readable range. */
  truncated(): false {
    return this.fail("the body ends inside a Hessian value", this.end);
  }

  /** The next tag without consuming it, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.bytes[this.pos] : -1;
  }

  /** Consumes `n` bytes after checking they exist. */
  skipBytes(n: number): boolean {
    if (n > this.end - this.pos) {
      this.pos = this.end;
      return this.truncated();
    }
    this.pos += n;
    return true;
  }

  /** Reads a Hessian 2 int in any form; returns 0 on failure. */
  readInt(): number {
    const b = this.bytes;
    const p = this.pos;
    const tag = this.peek();
    if (tag >= 0x80 && tag <= 0xbf) {
      this.pos = p + 1;
      return tag - 0x90;
    }
    if (tag >= 0xc0 && tag <= 0xcf) {
      if (!this.skipBytes(2)) return 0;
      return ((tag - 0xc8) << 8) | b[p + 1];
    }
    if (tag >= 0xd0 && tag <= 0xd7) {
      if (!this.skipBytes(3)) return 0;
      return ((tag - 0xd4) << 16) | (b[p + 1] << 8) | b[p + 2];
    }
    if (tag === 0x49) {
      if (!this.skipBytes(5)) return 0;
      return (b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4];
    }
    if (tag < 0) this.truncated();
    else this.fail(`expected a Hessian int, found tag ${hex(tag)}`);
    return 0;
  }

  /**
   * Reads one string chunk header and skips its characters, leaving the data span in
   * `chunkStart`/`chunkEnd`. Returns 1 for a final chunk, 0 for a non-final one, -1 on failure.
   */
  readStringChunk(): number {
    const b = this.bytes;
    const p = this.pos;
    const tag = this.peek();
    let units: number;
    let final = 1;
    if (tag >= 0 && tag <= 0x1f) {
      units = tag;
      this.pos = p + 1;
    } else if (tag >= 0x30 && tag <= 0x33) {
      if (!this.skipBytes(2)) return -1;
      units = ((tag - 0x30) << 8) | b[p + 1];
    } else if (tag === 0x53 || tag === 0x52) {
      if (!this.skipBytes(3)) return -1;
      units = (b[p + 1] << 8) | b[p + 2];
      final = tag === 0x53 ? 1 : 0;
    } else {
      if (tag < 0) this.truncated();
      else this.fail(`expected a Hessian string, found tag ${hex(tag)}`);
      return -1;
    }
    const start = this.pos;
    const next = skipUtf8Units(b, start, this.end, units);
    if (next < 0) {
      if (next === UTF8_TRUNCATED) {
        this.truncated();
        return -1;
      }
      const at = next === UTF8_BAD_LEAD ? start : p;
      this.fail(
        next === UTF8_BAD_LEAD
          ? "a Hessian string has invalid UTF-8"
          : "a Hessian string chunk splits a surrogate pair",
        at,
      );
      return -1;
    }
    this.chunkStart = start;
    this.chunkEnd = next;
    this.chunkUnits = units;
    this.pos = next;
    return final;
  }

  /** Skips a string of any form, chunked or not, without decoding it. */
  skipString(): boolean {
    const stop = this.asciiStringEnd(this.pos);
    if (stop >= 0) {
      this.pos = stop;
      return true;
    }
    for (;;) {
      const r = this.readStringChunk();
      if (r < 0) return false;
      if (r === 1) return true;
    }
  }

  /** Reads and decodes a string of any form (lower-cased with `lower`); "" on failure. */
  readString(lower = false): string {
    const b = this.bytes;
    const p = this.pos;
    const stop = this.asciiStringEnd(p);
    if (stop >= 0) {
      this.pos = stop;
      const s = asciiString(b, compactStart(b, p), stop);
      return lower ? s.toLowerCase() : s;
    }
    let r = this.readStringChunk();
    if (r < 0) return "";
    let s = decodeUtf8(b, this.chunkStart, this.chunkEnd);
    while (r === 0) {
      r = this.readStringChunk();
      if (r < 0) return "";
      s += decodeUtf8(b, this.chunkStart, this.chunkEnd);
    }
    return lower ? s.toLowerCase() : s;
  }
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
