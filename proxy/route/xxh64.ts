/**
 * XXH64 over UTF-8 strings, and Envoy's chained form used by the MetaProtocol hash policy
 * (`HashUtil::xxHash64(span)`: `seed = 0; for v in values: seed = XXH64(v, seed)`).
 *
 * @module
 */

const M = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;
const encoder = new TextEncoder();

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M;
}

function round(acc: bigint, input: bigint): bigint {
  acc = (acc + input * P2) & M;
  acc = rotl(acc, 31n);
  return (acc * P1) & M;
}

function merge(acc: bigint, val: bigint): bigint {
  acc ^= round(0n, val);
  return (acc * P1 + P4) & M;
}

function u64(b: Uint8Array, p: number): bigint {
  return new DataView(b.buffer, b.byteOffset + p, 8).getBigUint64(0, true);
}

function u32(b: Uint8Array, p: number): bigint {
  return BigInt((b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24) >>> 0);
}

/**
 * XXH64 of `data` with `seed`, as an unsigned 64-bit bigint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xxh64 } from "./xxh64.ts";
 * assert.equal(xxh64(new Uint8Array(0), 0n), 0xef46db3751d8e999n);
 * ```
 */
export function xxh64(data: Uint8Array, seed: bigint): bigint {
  const len = data.length;
  let p = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & M;
    let v2 = (seed + P2) & M;
    let v3 = seed;
    let v4 = (seed - P1) & M;
    while (p + 32 <= len) {
      v1 = round(v1, u64(data, p));
      v2 = round(v2, u64(data, p + 8));
      v3 = round(v3, u64(data, p + 16));
      v4 = round(v4, u64(data, p + 24));
      p += 32;
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = (seed + P5) & M;
  }
  h = (h + BigInt(len)) & M;
  while (p + 8 <= len) {
    h ^= round(0n, u64(data, p));
    h = (rotl(h, 27n) * P1 + P4) & M;
    p += 8;
  }
  if (p + 4 <= len) {
    h ^= (u32(data, p) * P1) & M;
    h = (rotl(h, 23n) * P2 + P3) & M;
    p += 4;
  }
  while (p < len) {
    h ^= (BigInt(data[p]) * P5) & M;
    h = (rotl(h, 11n) * P1) & M;
    p++;
  }
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  h ^= h >> 32n;
  return h;
}

/** Envoy's chained XXH64 of strings: each value's hash seeds the next. */
export function chainedXxh64(values: readonly string[]): bigint {
  let seed = 0n;
  for (const v of values) seed = xxh64(encoder.encode(v), seed);
  return seed;
}
