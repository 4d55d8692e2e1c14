/**
 * UTF-8 helpers for Hessian 2 strings, whose lengths count UTF-16 code units, not bytes.
 *
 * Java's Hessian (and hessian.js) write each UTF-16 code unit on its own, so a character
 * outside the BMP arrives as two 3-byte surrogate sequences (CESU-8), each counting as one
 * unit. Standard 4-byte UTF-8 sequences are accepted too and count as two units.
 *
 * @module
 */

/** `skipUtf8Units` result: the input ends before the last unit. */
export const UTF8_TRUNCATED = -1;
/** `skipUtf8Units` result: a byte that cannot start a UTF-8 sequence. */
export const UTF8_BAD_LEAD = -2;
/** `skipUtf8Units` result: a 4-byte sequence would need more units than the chunk has left. */
export const UTF8_SPLIT_PAIR = -3;

/**
 * Returns the offset just past `units` UTF-16 code units of UTF-8 starting at `pos`, or a
 * negative `UTF8_*` code. Never reads at or past `end`.
 */
export function skipUtf8Units(
  bytes: Uint8Array,
  pos: number,
  end: number,
  units: number,
): number {
  // Fast path: all ASCII, one byte per unit.
  const stop = pos + units;
  if (stop <= end) {
    const i = asciiEnd(bytes, pos, stop);
    if (i === stop) return stop;
    units -= i - pos;
    pos = i;
  }
  while (units > 0) {
    if (pos >= end) return UTF8_TRUNCATED;
    const b = bytes[pos];
    if (b < 0x80) {
      pos++;
      units--;
    } else if (b < 0xc0) {
      return UTF8_BAD_LEAD;
    } else if (b < 0xe0) {
      pos += 2;
      units--;
    } else if (b < 0xf0) {
      pos += 3;
      units--;
    } else if (b < 0xf8) {
      if (units < 2) return UTF8_SPLIT_PAIR;
      pos += 4;
      units -= 2;
    } else {
      return UTF8_BAD_LEAD;
    }
  }
  return pos > end ? UTF8_TRUNCATED : pos;
}

/** Returns the first offset in `[pos, stop)` whose byte is not ASCII, or `stop`. */
export function asciiEnd(bytes: Uint8Array, pos: number, stop: number): number {
  // Four bytes per step: a DataView would be faster per byte, but costs more to create
  // (once per decode) than it saves on typical short strings.
  const stop4 = stop - 3;
  while (
    pos < stop4 && ((bytes[pos] | bytes[pos + 1] | bytes[pos + 2] | bytes[pos + 3]) & 0x80) === 0
  ) pos += 4;
  while (pos < stop && bytes[pos] < 0x80) pos++;
  return pos;
}

/**
 * A 32-bit view over the bytes of `bytes`: byte `i` of `bytes` is byte `i + (byteOffset & 3)`
 * of the view, whose first word starts at the 4-byte boundary at or before `bytes[0]`; a
 * partial last word is left out. It lets scans read four bytes per load.
 */
export function wordView(bytes: Uint8Array): Int32Array {
  const offset = bytes.byteOffset;
  const shift = offset & 3;
  return new Int32Array(bytes.buffer, offset - shift, (bytes.length + shift) >>> 2);
}

/**
 * The first offset in `[i, end)` (with `end <= b.length`) whose byte is not ASCII, or
 * `end`; `w` and `shift` are the {@link wordView} of `b`, read a word at a time.
 */
export function nonAsciiFrom(
  b: Uint8Array,
  w: Int32Array,
  shift: number,
  i: number,
  end: number,
): number {
  if (i >= end) return end;
  const first = i + shift;
  let k = first >>> 2;
  const words = (end + shift) >>> 2; // words wholly before `end`
  if (k < words && LITTLE_ENDIAN) {
    // The first word with the bytes before `i` masked off, then whole words.
    let x = w[k] & (HIGH_BITS << ((first & 3) << 3));
    if (x === 0) {
      // Four words per step while they last, then one.
      k++;
      while (k + 4 <= words && ((w[k] | w[k + 1] | w[k + 2] | w[k + 3]) & HIGH_BITS) === 0) {
        k += 4;
      }
      while (k < words && (x = w[k] & HIGH_BITS) === 0) k++;
    }
    if (x !== 0) return (k << 2) + ((31 - Math.clz32(x & -x)) >>> 3) - shift;
    i = (words << 2) - shift;
  }
  while (i < end && b[i] < 0x80) i++;
  return i;
}

/**
 * How many bytes of `b[from, to)` (with `to <= b.length`) are not ASCII; `w` and `shift` are
 * the {@link wordView} of `b`, read four words per step.
 */
export function countNonAscii(
  b: Uint8Array,
  w: Int32Array,
  shift: number,
  from: number,
  to: number,
): number {
  let n = 0;
  let i = from;
  while (i < to && ((i + shift) & 3) !== 0) n += b[i++] >>> 7;
  if (i < to && LITTLE_ENDIAN) {
    let k = (i + shift) >>> 2;
    const words = (to + shift) >>> 2; // words wholly before `to`
    for (; k < words; k++) {
      const x = w[k] & HIGH_BITS;
      if (x !== 0) n += Math.imul(x >>> 7, 0x01010101) >>> 24;
    }
    i = k > (i + shift) >>> 2 ? (k << 2) - shift : i;
  }
  while (i < to) n += b[i++] >>> 7;
  return n;
}

/** The high bit of each byte of a word, as an int32. */
const HIGH_BITS = 0x80808080 | 0;

/** Runs shorter than this are compared byte by byte: the word loop costs more to set up. */
const WORD_RUN = 16;

/** Whether words hold their bytes lowest first, as the word-wise scans assume. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Whether `a[aAt, aAt + n)` equals `b[bAt, bAt + n)` (the two may be the same array); `aw`,
 * `aShift`, `bw` and `bShift` are their {@link wordView}s. Long runs are compared a word at a
 * time, also when the runs are aligned differently: each word of `a` is then put together
 * from two loads.
 */
export function equalBytes(
  a: Uint8Array,
  aw: Int32Array,
  aShift: number,
  aAt: number,
  b: Uint8Array,
  bw: Int32Array,
  bShift: number,
  bAt: number,
  n: number,
): boolean {
  let i = 0;
  if (n >= WORD_RUN && LITTLE_ENDIAN) {
    while (((bAt + i + bShift) & 3) !== 0) {
      if (a[aAt + i] !== b[bAt + i]) return false;
      i++;
    }
    const kb = (bAt + i + bShift) >>> 2;
    const as = aAt + i + aShift;
    const ka = as >>> 2;
    const bits = (as & 3) << 3;
    const words = (n - i) >>> 2;
    let k = 0;
    if (bits === 0) {
      for (; k + 4 <= words; k += 4) {
        if (
          ((aw[ka + k] ^ bw[kb + k]) | (aw[ka + k + 1] ^ bw[kb + k + 1]) |
            (aw[ka + k + 2] ^ bw[kb + k + 2]) | (aw[ka + k + 3] ^ bw[kb + k + 3])) !== 0
        ) return false;
      }
      for (; k < words; k++) if (aw[ka + k] !== bw[kb + k]) return false;
    } else if (ka + words < aw.length) {
      let low = aw[ka] >>> bits;
      const up = 32 - bits;
      for (; k < words; k++) {
        const next = aw[ka + k + 1];
        if ((low | (next << up)) !== bw[kb + k]) return false;
        low = next >>> bits;
      }
    }
    i += k << 2;
  }
  for (; i < n; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/** Where the characters of the compact string at `b[p]` start. */
export function compactStart(b: Uint8Array, p: number): number {
  return b[p] < 0x20 ? p + 1 : p + 2;
}

/** Decodes ASCII bytes `[start, end)` into a string. */
export function asciiString(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > 24) return textDecoder.decode(bytes.subarray(start, end));
  // Short keys and values are the common case: skip the TextDecoder call, four at a time.
  const c = bytes;
  const i = start;
  if (n <= 4) {
    if (n === 4) return String.fromCharCode(c[i], c[i + 1], c[i + 2], c[i + 3]);
    if (n === 3) return String.fromCharCode(c[i], c[i + 1], c[i + 2]);
    if (n === 2) return String.fromCharCode(c[i], c[i + 1]);
    return n === 1 ? String.fromCharCode(c[i]) : "";
  }
  let s = "";
  let k = start;
  for (; k + 4 <= end; k += 4) s += String.fromCharCode(c[k], c[k + 1], c[k + 2], c[k + 3]);
  for (; k < end; k++) s += String.fromCharCode(c[k]);
  return s;
}

const textDecoder = new TextDecoder();

/** Decodes UTF-8 (or CESU-8) bytes `[start, end)` into a string; bad bytes become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  let cesu = false;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b >= 0x80) {
      ascii = false;
      // 0xED 0xA0..0xBF starts an encoded surrogate, which TextDecoder rejects.
      if (b === 0xed && i + 1 < end && bytes[i + 1] >= 0xa0) {
        cesu = true;
        break;
      }
    }
  }
  if (ascii && end - start <= 24) {
    // Short ASCII keys and values are the common case: skip the TextDecoder call.
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  if (!cesu) return textDecoder.decode(bytes.subarray(start, end));
  return decodeCesu8(bytes, start, end);
}

function decodeCesu8(bytes: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i++;
    } else if (b >= 0xc0 && b < 0xe0 && i + 1 < end) {
      units.push(((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f));
      i += 2;
    } else if (b >= 0xe0 && b < 0xf0 && i + 2 < end) {
      units.push(((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f));
      i += 3;
    } else if (b >= 0xf0 && b < 0xf8 && i + 3 < end) {
      const cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) |
        ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      const v = cp - 0x10000;
      units.push(0xd800 | (v >> 10), 0xdc00 | (v & 0x3ff));
      i += 4;
    } else {
      units.push(0xfffd);
      i++;
    }
  }
  let s = "";
  for (let k = 0; k < units.length; k += 4096) {
    s += String.fromCharCode(...units.slice(k, k + 4096));
  }
  return s;
}

/** Writes `s` as CESU-8 (one sequence per UTF-16 unit, as Java's Hessian reads it). */
export function encodeCesu8(s: string, from: number, to: number, out: Uint8Array, at: number) {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out[at++] = c;
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}
