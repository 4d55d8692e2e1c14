/**
 * MetaRouter rate limits. Local: token buckets, a default one and per-match conditions; every
 * bucket needs `maxTokens` ≥ 1, `tokensPerFill` ≥ 1 and `fillInterval`, as the webhook requires
 * (upstream's generator panics without them, quirk Q7). Global: an external rate-limit service;
 * `requestTimeout` is optional and defaults to 20ms (upstream panicked when absent, quirk Q7).
 *
 * @module
 */
import { Effect, Schema } from "effect";
import { PositiveDuration } from "./duration.ts";
import { nonEmptyString, Uint32 } from "./names.ts";
import { MetaRouteMatch } from "./string_match.ts";

const AtLeastOne = (what: string) =>
  Uint32.check(Schema.makeFilter((n: number) => n >= 1 || `Set ${what} to at least 1: got ${n}`));

/** A token bucket: `maxTokens` tokens, refilled with `tokensPerFill` every `fillInterval`. */
export const TokenBucket = Schema.Struct({
  maxTokens: AtLeastOne("maxTokens"),
  tokensPerFill: AtLeastOne("tokensPerFill"),
  fillInterval: PositiveDuration,
});
/** A token bucket. */
export type TokenBucket = typeof TokenBucket.Type;

/** A bucket that applies to requests matching `match`. */
export const LocalRateLimitCondition = Schema.Struct({
  match: MetaRouteMatch,
  tokenBucket: TokenBucket,
});
/** A bucket that applies to requests matching `match`. */
export type LocalRateLimitCondition = typeof LocalRateLimitCondition.Type;

/** Local (per-proxy) rate limit: first matching condition's bucket, else `tokenBucket`. */
export const LocalRateLimit = Schema.Struct({
  tokenBucket: Schema.optionalKey(TokenBucket),
  conditions: Schema.optionalKey(Schema.Array(LocalRateLimitCondition)),
}).check(
  Schema.makeFilter((l) =>
    l.tokenBucket !== undefined || (l.conditions?.length ?? 0) > 0 ||
    "Add a tokenBucket or at least one condition: the local rate limit limits nothing"
  ),
);
/** Local rate limit. */
export type LocalRateLimit = typeof LocalRateLimit.Type;

/** A descriptor entry sent to the rate-limit service: request `property` → `descriptorKey`. */
export const RateLimitDescriptor = Schema.Struct({
  property: nonEmptyString("the descriptor property"),
  descriptorKey: nonEmptyString("the descriptor key"),
});
/** A descriptor entry sent to the rate-limit service. */
export type RateLimitDescriptor = typeof RateLimitDescriptor.Type;

/** The default of `globalRateLimit.requestTimeout` (fixes quirk Q7). */
export const DEFAULT_REQUEST_TIMEOUT = "20ms";

/** Global rate limit through an external rate-limit service (Envoy RLS). */
export const GlobalRateLimit = Schema.Struct({
  match: Schema.optionalKey(MetaRouteMatch),
  domain: nonEmptyString("the rate-limit domain"),
  requestTimeout: PositiveDuration.pipe(
    Schema.withDecodingDefaultKey(Effect.succeed(DEFAULT_REQUEST_TIMEOUT)),
  ),
  denyOnFail: Schema.optionalKey(Schema.Boolean),
  rateLimitService: nonEmptyString("the rate-limit service cluster"),
  descriptors: Schema.Array(RateLimitDescriptor).check(
    Schema.makeFilter((ds) =>
      ds.length > 0 || "Add at least one descriptor: the rate-limit service needs a key"
    ),
  ),
});
/** Global rate limit (decoded: `requestTimeout` always set). */
export type GlobalRateLimit = typeof GlobalRateLimit.Type;
