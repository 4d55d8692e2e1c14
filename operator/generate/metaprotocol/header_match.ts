/**
 * MetaRouter attribute matches as Envoy `HeaderMatcher`s (proto3 JSON), the form both the RDS
 * route configuration and the MetaProtocol filters carry (control-plane spec §3.2).
 *
 * Two upstream quirks are fixed: matchers come out sorted by attribute name instead of in Go's
 * random map order, and an empty match `{}` checks that the attribute is present, as the proto
 * documents, instead of being skipped (quirk Q19).
 *
 * @module
 */
import type { MetaRouteMatch, StringMatch } from "../../../api/mod.ts";

/** An `envoy.config.route.v3.HeaderMatcher` in proto3 JSON. */
export type HeaderMatcher = Readonly<Record<string, unknown>> & { readonly name: string };

/** The matcher of one attribute; `{}` and `regex: "*"` mean "present". */
export function headerMatcher(name: string, match: StringMatch | null | undefined): HeaderMatcher {
  if (match?.exact !== undefined) return { name, exactMatch: match.exact };
  if (match?.prefix !== undefined) return { name, prefixMatch: match.prefix };
  if (match?.regex !== undefined && match.regex !== "*") {
    return { name, safeRegexMatch: { googleRe2: {}, regex: match.regex } };
  }
  return { name, presentMatch: true };
}

/**
 * The matchers of a MetaRouter match, sorted by attribute name (code point order), so the
 * output never depends on the order keys were written in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildHeaderMatchers } from "./header_match.ts";
 * assert.deepEqual(
 *   buildHeaderMatchers({ attributes: { method: { exact: "sayHello" }, interface: {} } }),
 *   [{ name: "interface", presentMatch: true }, { name: "method", exactMatch: "sayHello" }],
 * );
 * ```
 */
export function buildHeaderMatchers(match: MetaRouteMatch | undefined): HeaderMatcher[] {
  const attributes = match?.attributes;
  if (!attributes) return [];
  return Object.keys(attributes)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => headerMatcher(name, attributes[name]));
}

/** A `RouteMatch` of the MetaProtocol route proto: `{}` when it matches everything. */
export function routeMatch(match: MetaRouteMatch | undefined): Record<string, unknown> {
  const metadata = buildHeaderMatchers(match);
  return metadata.length > 0 ? { metadata } : {};
}
