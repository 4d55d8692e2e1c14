/**
 * Duration strings as written in CRs (`100ms`, `60s`, `1.5s`, `1m`, `1h30m`): Go's
 * `time.ParseDuration` syntax, which is what Kubernetes users write and what the upstream CRDs
 * accept, plus the protobuf JSON form (`0.100s`) the generators emit.
 *
 * @module
 */
import { Schema } from "effect";

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /([0-9]*\.?[0-9]*)(ns|us|µs|ms|s|m|h)/y;

/** What {@link parseDuration} accepts, as a JSON Schema `pattern` for the CRDs. */
export const DURATION_PATTERN = "^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+)$";

/**
 * Parses a duration string into milliseconds; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert.equal(parseDuration("1.5s"), 1500);
 * assert.equal(parseDuration("1m30s"), 90000);
 * assert.equal(parseDuration("soon"), undefined);
 * ```
 */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m || m[1] === "" || m[1] === ".") return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = PART.lastIndex;
  }
  return at === 0 ? undefined : total;
}

/** Renders milliseconds in protobuf JSON Duration form, e.g. `100` → `"0.100s"`. */
export function toProtoDuration(millis: number): string {
  const whole = Math.floor(millis / 1000);
  const frac = Math.round((millis - whole * 1000) * 1e6);
  if (frac === 0) return `${whole}s`;
  // Protobuf JSON writes 3, 6 or 9 fractional digits.
  let digits = String(frac).padStart(9, "0");
  while (digits.endsWith("000")) digits = digits.slice(0, -3);
  return `${whole}.${digits}s`;
}

function durationProblem(text: string, positive: boolean): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) {
    return `Write the duration as a number with a unit (ns, us, ms, s, m, h), e.g. "100ms" or "1.5s": got ${
      JSON.stringify(text)
    }`;
  }
  if (positive && ms <= 0) return `Use a duration greater than zero: got ${JSON.stringify(text)}`;
  return undefined;
}

/** A duration string such as `100ms` or `60s` (zero allowed). */
export const Duration: Schema.String = Schema.String.check(
  Schema.makeFilter((s: string) => durationProblem(s, false), {
    expected: 'a duration such as "100ms"',
    toJsonSchema: () => ({ pattern: DURATION_PATTERN }),
  }),
);

/** A duration string greater than zero. */
export const PositiveDuration: Schema.String = Schema.String.check(
  Schema.makeFilter((s: string) => durationProblem(s, true), {
    expected: 'a positive duration such as "100ms"',
    toJsonSchema: () => ({ pattern: DURATION_PATTERN }),
  }),
);
