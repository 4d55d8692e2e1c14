/**
 * The vocabulary of the loader policy: a field is used (`U`) or ignored with a reason.
 *
 * @module
 */

/** A field the proxy implements. */
export const U = "use";

/** Per-field rule: `U`, or the reason the field is ignored. */
export type FieldRule = typeof U | { readonly ignore: string };

/** Field rules by message full name (no leading dot) and proto field name. */
export type Policy = ReadonlyMap<string, Readonly<Record<string, FieldRule>>>;

/** A field that has no effect on this proxy, and why. */
export function ignore(reason: string): FieldRule {
  return { ignore: reason };
}
