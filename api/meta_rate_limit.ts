/**
 * MetaRouter rate limits. Local: token buckets, a default one and per-match conditions; every
 * bucket needs `maxTokens` ≥ 1, `tokensPerFill` ≥ 1 and `fillInterval`, as the webhook requires
 * (upstream's generator panics without them, quirk Q7). Global: an external rate-limit service;
 * `requestTimeout` is optional and defaults to 20ms (upstream panicked when absent, quirk Q7).
 *
 * @module
 */
import { Effect, Schema } from "effect";
import { doc } from "./_doc.ts";
import { PositiveDuration } from "./duration.ts";
import { nonEmptyString, Uint32 } from "./names.ts";
import { MetaRouteMatch } from "./string_match.ts";

const AtLeastOne = (what: string) =>
  Uint32.check(Schema.makeFilter((n: number) => n >= 1 || `Set ${what} to at least 1: got ${n}`));

/** A token bucket: `maxTokens` tokens, refilled with `tokensPerFill` every `fillInterval`. */
export const TokenBucket = Schema.Struct({
  maxTokens: AtLeastOne("maxTokens").check(
    doc(
      "The most tokens the bucket holds, and how many it starts with; each request takes one. " +
        "At least 1.",
      { minimum: 1 },
    ),
  ),
  tokensPerFill: AtLeastOne("tokensPerFill").check(
    doc("How many tokens each fill adds. At least 1.", { minimum: 1 }),
  ),
  fillInterval: PositiveDuration.check(
    doc('How often the bucket is refilled, as a duration such as "1s" or "100ms".'),
  ),
}).check(
  doc(
    "A token bucket: requests pass while it holds tokens and are rejected when it is empty.",
  ),
);
/** A token bucket. */
export type TokenBucket = typeof TokenBucket.Type;

/** A bucket that applies to requests matching `match`. */
export const LocalRateLimitCondition = Schema.Struct({
  match: MetaRouteMatch.check(doc("The requests this condition limits.")),
  tokenBucket: TokenBucket.check(doc("The bucket that limits the matching requests.")),
}).check(doc("A bucket of its own for the requests that match."));
/** A bucket that applies to requests matching `match`. */
export type LocalRateLimitCondition = typeof LocalRateLimitCondition.Type;

/** Local (per-proxy) rate limit: first matching condition's bucket, else `tokenBucket`. */
export const LocalRateLimit = Schema.Struct({
  tokenBucket: Schema.optionalKey(
    TokenBucket.check(
      doc(
        "The bucket for requests no condition matches; without it, those requests are not " +
          "limited.",
      ),
    ),
  ),
  conditions: Schema.optionalKey(
    Schema.Array(LocalRateLimitCondition).check(
      doc("Buckets for particular requests; the first condition that matches applies."),
    ),
  ),
}).check(
  Schema.makeFilter((l) =>
    l.tokenBucket !== undefined || (l.conditions?.length ?? 0) > 0 ||
    "Add a tokenBucket or at least one condition: the local rate limit limits nothing"
  ),
  doc(
    "Rate limits each proxy applies by itself, with token buckets; set tokenBucket, " +
      "conditions or both",
  ),
);
/** Local rate limit. */
export type LocalRateLimit = typeof LocalRateLimit.Type;

/** A descriptor entry sent to the rate-limit service: request `property` → `descriptorKey`. */
export const RateLimitDescriptor = Schema.Struct({
  property: nonEmptyString("the descriptor property").check(
    doc("The request attribute whose value is sent, such as method."),
  ),
  descriptorKey: nonEmptyString("the descriptor key").check(
    doc("The descriptor key it is sent under, as the rate-limit service's configuration names it."),
  ),
}).check(doc("One request attribute sent to the rate-limit service."));
/** A descriptor entry sent to the rate-limit service. */
export type RateLimitDescriptor = typeof RateLimitDescriptor.Type;

/** The default of `globalRateLimit.requestTimeout` (fixes quirk Q7). */
export const DEFAULT_REQUEST_TIMEOUT = "20ms";

/** Global rate limit through an external rate-limit service (Envoy RLS). */
export const GlobalRateLimit = Schema.Struct({
  match: Schema.optionalKey(
    MetaRouteMatch.check(doc("The requests to rate-limit; every request when unset.")),
  ),
  domain: nonEmptyString("the rate-limit domain").check(
    doc("The domain of the rate-limit service's configuration these limits belong to."),
  ),
  requestTimeout: PositiveDuration.check(
    doc("How long to wait for the rate-limit service's answer.", {
      default: DEFAULT_REQUEST_TIMEOUT,
    }),
  ).pipe(Schema.withDecodingDefaultKey(Effect.succeed(DEFAULT_REQUEST_TIMEOUT))),
  denyOnFail: Schema.optionalKey(
    Schema.Boolean.check(
      doc(
        "Whether to reject requests when the rate-limit service cannot be reached; they pass " +
          "when false or unset.",
      ),
    ),
  ),
  rateLimitService: nonEmptyString("the rate-limit service cluster").check(
    doc(
      "The Envoy cluster of the rate-limit service, e.g. " +
        '"outbound|8081||rate-limit.istio-system.svc.cluster.local".',
    ),
  ),
  descriptors: Schema.Array(RateLimitDescriptor).check(
    Schema.makeFilter((ds) =>
      ds.length > 0 || "Add at least one descriptor: the rate-limit service needs a key"
    ),
    doc("The request attributes sent to the rate-limit service; at least one.", { minItems: 1 }),
  ),
}).check(
  doc("Rate limits decided by an external rate-limit service (Envoy's RLS protocol)."),
);
/** Global rate limit (decoded: `requestTimeout` always set). */
export type GlobalRateLimit = typeof GlobalRateLimit.Type;
