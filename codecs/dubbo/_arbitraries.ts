/**
 * Test helpers: fast-check arbitraries of the values hessian.js writes, nested, as the
 * arguments and attachment values a Dubbo walker must step over. Imported by tests only.
 *
 * @module
 */

import fc from "fast-check";

/** What the values are made of. */
export interface ValueParts {
  /** String values. */
  readonly text: fc.Arbitrary<string>;
  /** Map keys. */
  readonly key: fc.Arbitrary<string>;
  /** Field names of Java objects. */
  readonly field: fc.Arbitrary<string>;
  /** Class names of Java objects. */
  readonly classes: readonly string[];
  /** The longest `byte[]` (15 keeps them in Hessian's one-tag form). */
  readonly maxBinary: number;
}

/**
 * Any value hessian.js can write: null, booleans, ints, longs, doubles, dates, strings,
 * binary, lists, maps and Java objects, nested.
 */
export function hessianValue(parts: ValueParts): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -(2 ** 52), max: 2 ** 52 }).map(($) => ({ $class: "long", $ })),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map((ms) => new Date(ms)),
      parts.text,
      fc.uint8Array({ maxLength: parts.maxBinary }),
      fc.array(tie("value"), { maxLength: 9 }),
      fc.dictionary(parts.key, tie("value"), { maxKeys: 4 }),
      fc.tuple(
        fc.constantFrom(...parts.classes),
        fc.dictionary(parts.field, tie("value"), { maxKeys: 3 }),
      ).map(([cls, fields]) => ({ $class: cls, $: fields })),
    ),
  }));
  return value;
}
