/**
 * Pieces every Envoy-native generator shares: stat prefixes, Envoy string matchers, problems
 * about the service, and the outbound + inbound envelope of one filter.
 *
 * @module
 */
import type { FilterDraft, ServiceContext } from "../context.ts";
import {
  inboundFilters,
  type NetworkFilter,
  networkFilterPatch,
  outboundFilters,
} from "../envelope.ts";
import { clusterName } from "../names.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";

/** A proto3 JSON object. */
export type Json = Record<string, unknown>;

/** `outbound|<port>||<host>`: the stat prefix and default cluster of an outbound proxy. */
export function outboundName(ctx: ServiceContext, port: number): string {
  return clusterName("outbound", port, "", ctx.host);
}

/** `inbound|<port>||`: the stat prefix and cluster of an inbound proxy. */
export function inboundName(port: number): string {
  return clusterName("inbound", port);
}

/** An RE2 `safeRegex` matcher as upstream writes it (with the empty `googleRe2` engine). */
export function safeRegex(regex: string): Json {
  return { googleRe2: {}, regex };
}

/** The match-everything method matcher upstream uses where nothing narrower is given. */
export function anyName(): Json {
  return { safeRegex: safeRegex(".*") };
}

/** A problem about the service's ServiceEntry. */
export function serviceProblem(
  ctx: ServiceContext,
  field: string,
  message: string,
): GenerateProblem {
  return { object: objectRef(ctx.serviceEntry), field, message };
}

/**
 * One filter on both sides: the outbound filter on every VIP's listener (when `outbound` is
 * given) and the inbound filter on `virtualInbound` (when the service selects workloads).
 */
export function bothSides(
  ctx: ServiceContext,
  port: number,
  operation: "REPLACE" | "INSERT_BEFORE",
  filters: { readonly outbound?: NetworkFilter; readonly inbound: NetworkFilter },
): FilterDraft[] {
  const { outbound, inbound } = filters;
  const out = outbound
    ? outboundFilters(ctx, port, (vip) => [
      // A copy per VIP: generated objects share no nodes, so callers may edit or alias-free
      // serialize each one.
      networkFilterPatch(
        { direction: "outbound", vip, port },
        operation,
        structuredClone(outbound),
      ),
    ])
    : [];
  const patch = networkFilterPatch({ direction: "inbound", port }, operation, inbound);
  return [...out, ...inboundFilters(ctx, port, [patch])];
}
