/**
 * Host and name checks with the exact rules of Aeraki's webhook (copied from Istio's
 * `ValidateFQDN` and `labels.IsDNS1123Label`): DNS-1123 labels of letters (either case),
 * digits and `-`, at most 63 characters; FQDNs of at most 255 characters whose top-level label
 * is not all digits; a trailing `.` is allowed.
 *
 * @module
 */
import { Schema } from "effect";

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** A subset name (a DNS-1123 label, or empty for none) as a JSON Schema `pattern`. */
export const SUBSET_PATTERN = "^([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)?$";
const LABEL_RULE =
  'letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';

/** Whether `value` is a DNS-1123 label as Istio defines it (mixed case allowed). */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/**
 * Why `name` is not a valid FQDN, or `undefined` when it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fqdnProblem } from "./names.ts";
 * assert.equal(fqdnProblem("reviews.default.svc.cluster.local"), undefined);
 * assert.equal(
 *   fqdnProblem("a.123"),
 *   'Fix the host "a.123": its top-level label "123" cannot be all digits',
 * );
 * ```
 */
export function fqdnProblem(name: string): string | undefined {
  if (name === "") return "Set a host: the name is empty";
  if (name.length > 255) {
    return `Shorten the host to at most 255 characters: ${quoteShort(name)} has ${name.length}`;
  }
  const parts = name.split(".");
  const top = parts[parts.length - 1];
  if (/^[+-]?[0-9]+$/.test(top)) {
    return `Fix the host "${name}": its top-level label "${top}" cannot be all digits`;
  }
  for (const [i, label] of parts.entries()) {
    if (i === parts.length - 1 && label === "") return undefined;
    if (!isDns1123Label(label)) {
      return `Fix the host "${name}": label "${label}" must be a DNS-1123 label (${LABEL_RULE})`;
    }
  }
  return undefined;
}

/**
 * Why `name` is not a valid DestinationRule subset name, or `undefined` when it is. An empty
 * name means "no subset", as in the webhook.
 */
export function subsetProblem(name: string): string | undefined {
  return name === "" || isDns1123Label(name)
    ? undefined
    : `Rename the subset "${name}": it must be a DNS-1123 label (${LABEL_RULE})`;
}

function quoteShort(value: string): string {
  return JSON.stringify(value.length > 40 ? value.slice(0, 37) + "..." : value);
}

/** A host FQDN string (the webhook's `ValidateFQDN`). */
export const Fqdn: Schema.String = Schema.String.check(
  Schema.makeFilter((s: string) => fqdnProblem(s), { expected: "a fully qualified host name" }),
);

/** A DestinationRule subset name: a DNS-1123 label. */
export const SubsetName: Schema.String = Schema.String.check(
  Schema.makeFilter((s: string) => subsetProblem(s), {
    expected: "a DNS-1123 label",
    toJsonSchema: () => ({ pattern: SUBSET_PATTERN, maxLength: 63 }),
  }),
);

/** A port number, 1..65535. */
export const PortNumber: Schema.Number = Schema.Number.check(
  Schema.isInt({ message: "Use a whole port number" }),
  Schema.isBetween({ minimum: 1, maximum: 65535 }, {
    message: "Use a port number between 1 and 65535",
  }),
);

/** A non-negative integer that fits in 32 bits (protobuf `uint32`). */
export const Uint32: Schema.Number = Schema.Number.check(
  Schema.isInt({ message: "Use a whole number" }),
  Schema.isBetween({ minimum: 0, maximum: 4294967295 }, {
    message: "Use a number between 0 and 4294967295",
  }),
);

/** A string that must not be empty; `what` names it in the message. */
export function nonEmptyString(what: string): Schema.String {
  return Schema.String.check(
    Schema.makeFilter((s: string) => s !== "" || `Set ${what}: it is empty`, {
      expected: `a non-empty ${what}`,
    }),
  );
}
