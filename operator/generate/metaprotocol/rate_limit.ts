/**
 * The inbound rate-limit filters a MetaRouter asks for (control-plane spec §3.2): the local
 * token-bucket filter and the global filter that calls an Envoy rate-limit service. Values are
 * proto3 JSON of `aeraki.meta_protocol_proxy.filters.{local_ratelimit,ratelimit}.v1alpha`.
 *
 * @module
 */
import {
  DEFAULT_REQUEST_TIMEOUT,
  type LocalRateLimit,
  type MetaRouter,
  parseDuration,
  type TokenBucket,
} from "../../../api/mod.ts";
import { LOCAL_RATE_LIMIT_TYPE_URL, RATE_LIMIT_TYPE_URL } from "../../../proto/type_urls.ts";
import { objectRef } from "../snapshot.ts";
import type { GenerateProblem } from "../snapshot.ts";
import { routeMatch } from "./header_match.ts";

/** Name of the local rate-limit MetaProtocol filter. */
export const LOCAL_RATE_LIMIT_FILTER = "aeraki.meta_protocol.filters.local_ratelimit";
/** Name of the global rate-limit MetaProtocol filter (not "global_ratelimit"). */
export const RATE_LIMIT_FILTER = "aeraki.meta_protocol.filters.ratelimit";

/** A MetaProtocol filter entry: `{name, config?}` with `config` an Any in proto3 JSON. */
export interface MetaProtocolFilter {
  readonly name: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * A duration string (`100ms`, `60s`, `0.100s`) in protobuf JSON form with 0, 3, 6 or 9
 * fractional digits, as Go's protojson writes it; `undefined` when it is not a duration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protoDuration } from "./rate_limit.ts";
 * assert.equal(protoDuration("100ms"), "0.100s");
 * assert.equal(protoDuration("1m"), "60s");
 * ```
 */
export function protoDuration(text: string): string | undefined {
  const millis = parseDuration(text);
  if (millis === undefined || millis < 0) return undefined;
  const nanos = Math.round(millis * 1e6);
  const seconds = Math.floor(nanos / 1e9);
  const rest = nanos - seconds * 1e9;
  if (rest === 0) return `${seconds}s`;
  const digits = String(rest).padStart(9, "0");
  const keep = rest % 1e6 === 0 ? 3 : rest % 1e3 === 0 ? 6 : 9;
  return `${seconds}.${digits.slice(0, keep)}s`;
}

function tokenBucket(bucket: TokenBucket): Record<string, unknown> {
  return {
    maxTokens: bucket.maxTokens,
    ...(bucket.tokensPerFill ? { tokensPerFill: bucket.tokensPerFill } : {}),
    fillInterval: protoDuration(bucket.fillInterval) ?? bucket.fillInterval,
  };
}

function localConfig(host: string, limit: LocalRateLimit): Record<string, unknown> {
  const conditions = (limit.conditions ?? [])
    .filter((c) => c.tokenBucket !== undefined)
    .map((c) => ({ match: routeMatch(c.match), tokenBucket: tokenBucket(c.tokenBucket) }));
  return {
    "@type": LOCAL_RATE_LIMIT_TYPE_URL,
    statPrefix: host,
    ...(limit.tokenBucket ? { tokenBucket: tokenBucket(limit.tokenBucket) } : {}),
    ...(conditions.length > 0 ? { conditions } : {}),
  };
}

/** What a rate-limit builder returns: the filter, or none and why. */
export interface FilterResult {
  readonly filter?: MetaProtocolFilter;
  readonly problems: readonly GenerateProblem[];
}

/** The local rate-limit filter of `router`, if it has `localRateLimit`. */
export function buildLocalRateLimit(router: MetaRouter): FilterResult {
  const limit = router.spec.localRateLimit;
  if (!limit) return { problems: [] };
  if (!limit.tokenBucket && (limit.conditions ?? []).length === 0) {
    return {
      problems: [{
        object: objectRef(router),
        field: "spec.localRateLimit",
        message: "Add a tokenBucket or conditions: either tokenBucket or conditions should be set",
      }],
    };
  }
  const config = localConfig(router.spec.hosts[0], limit);
  return { filter: { name: LOCAL_RATE_LIMIT_FILTER, config }, problems: [] };
}

/** The global rate-limit filter of `router`, if it has `globalRateLimit`. */
export function buildGlobalRateLimit(router: MetaRouter): FilterResult {
  const limit = router.spec.globalRateLimit;
  if (!limit) return { problems: [] };
  if (limit.descriptors.length === 0) {
    return {
      problems: [{
        object: objectRef(router),
        field: "spec.globalRateLimit.descriptors",
        message: "Add at least one descriptor: the rate-limit service needs a key",
      }],
    };
  }
  // Upstream crashed without requestTimeout (quirk Q7); the API's default applies instead.
  const timeout = limit.requestTimeout || DEFAULT_REQUEST_TIMEOUT;
  const config = {
    "@type": RATE_LIMIT_TYPE_URL,
    match: routeMatch(limit.match),
    domain: limit.domain,
    timeout: protoDuration(timeout) ?? timeout,
    ...(limit.denyOnFail ? { failureModeDeny: true } : {}),
    rateLimitService: { grpcService: { envoyGrpc: { clusterName: limit.rateLimitService } } },
    descriptors: limit.descriptors.map((d) => ({
      property: d.property,
      descriptorKey: d.descriptorKey,
    })),
  };
  return { filter: { name: RATE_LIMIT_FILTER, config }, problems: [] };
}
