/**
 * Canonical JSON (object keys sorted, no whitespace) and a fast 64-bit content hash over it,
 * so outputs are deterministic and versions are content hashes, never timestamps.
 *
 * @module
 */

/** Serializes `value` with object keys sorted at every level; `undefined` fields are dropped. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") {
    return value === undefined ? "null" : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/**
 * FNV-1a 64-bit over the UTF-16 code units of `text`, as 16 hex digits. Used for versions
 * and memo keys, not for security.
 */
export function contentHash(text: string): string {
  // Two 32-bit lanes keep this in fast integer arithmetic; the result is FNV-1a 64.
  let hi = Number(FNV_OFFSET >> 32n);
  let lo = Number(FNV_OFFSET & 0xffffffffn);
  const pHi = Number(FNV_PRIME >> 32n);
  const pLo = Number(FNV_PRIME & 0xffffffffn);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    lo ^= c & 0xff;
    [hi, lo] = mul64(hi, lo, pHi, pLo);
    lo ^= c >>> 8;
    [hi, lo] = mul64(hi, lo, pHi, pLo);
  }
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

function mul64(aHi: number, aLo: number, bHi: number, bLo: number): [number, number] {
  const a0 = aLo & 0xffff, a1 = aLo >>> 16;
  const b0 = bLo & 0xffff, b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const carry = (mid >>> 16) + (p01 >>> 16) + (p10 >>> 16) + a1 * b1;
  const hi = (carry + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  return [hi, lo >>> 0];
}

/** The BigInt reference of {@link contentHash}, for tests. */
export function contentHashReference(text: string): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h = ((h ^ BigInt(c & 0xff)) * FNV_PRIME) & MASK;
    h = ((h ^ BigInt(c >>> 8)) * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, "0");
}
