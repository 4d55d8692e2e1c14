/**
 * Test helper: strings of any Unicode scalar values (every code point but the surrogates) —
 * what fast-check's `unit: "binary"` draws, without the table that unit builds on first use
 * (1.4 s in every test file that asked for it).
 *
 * @module
 */
import fc from "fast-check";

/** One code point from U+0000 to U+10FFFF outside the surrogates U+D800..U+DFFF. */
export const anyCodePoint: fc.Arbitrary<string> = fc.integer({ min: 0, max: 0x10ffff - 0x800 })
  .map((c) => String.fromCodePoint(c < 0xd800 ? c : c + 0x800));

/** A string of `minLength`..`maxLength` code points of {@link anyCodePoint}. */
export function anyString(
  length: { readonly minLength?: number; readonly maxLength: number },
): fc.Arbitrary<string> {
  return fc.string({ unit: anyCodePoint, ...length });
}
