/**
 * The outbound routes of the native Dubbo proxy from the service's VirtualService
 * (control-plane spec §3.4): `match.method` (exact, prefix or regex; anything else matches
 * every method) and `match.headers` (Dubbo attachments) of each `http[]` route, to a subset
 * of the service or a weighted split with `totalWeight`.
 *
 * Upstream read only `match[0]`; a route here gets one Dubbo route per match, in order, since
 * VirtualService matches are OR-ed. Header matchers are sorted by name (upstream iterated a
 * Go map), and an empty header match `{}` means "present" instead of being dropped.
 *
 * @module
 */
import type { HttpRoute, StringMatch } from "../../../api/mod.ts";
import type { ServiceContext } from "../context.ts";
import type { GenerateProblem } from "../snapshot.ts";
import { anyName, type Json, outboundName, safeRegex } from "./_shared.ts";
import { routeAction, vsRoutes } from "./_vs_routes.ts";

type HttpMatch = NonNullable<HttpRoute["match"]>[number];

/** The method name matcher of a VirtualService match; every method when none is given. */
export function methodName(m: StringMatch | undefined): Json {
  if (m?.exact !== undefined) return { exact: m.exact };
  if (m?.prefix !== undefined) return { prefix: m.prefix };
  if (m?.regex !== undefined) return { safeRegex: safeRegex(m.regex) };
  return anyName();
}

function headerMatcher(name: string, m: StringMatch): Json {
  if (m.exact !== undefined) return { name, exactMatch: m.exact };
  if (m.prefix !== undefined) return { name, prefixMatch: m.prefix };
  if (m.regex !== undefined) return { name, safeRegexMatch: safeRegex(m.regex) };
  return { name, presentMatch: true };
}

function routeMatch(match: HttpMatch | undefined): Json {
  const headers = Object.entries(match?.headers ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => headerMatcher(name, m));
  return {
    method: { name: methodName(match?.method) },
    ...(headers.length > 0 ? { headers } : {}),
  };
}

/** The default route: every method to `cluster`. */
export function catchAllRoute(cluster: string): Json {
  return { match: { method: { name: anyName() } }, route: { cluster } };
}

/**
 * The outbound Dubbo routes of a port: from the VirtualService when it has usable `http`
 * routes, else one catch-all route to `outbound|<port>||<host>`.
 */
export function dubboRoutes(
  ctx: ServiceContext,
  port: number,
): { routes: Json[]; problems: GenerateProblem[] } {
  const { routes, problems } = vsRoutes(ctx, port);
  if (!routes) return { routes: [catchAllRoute(outboundName(ctx, port))], problems };
  const out = routes.flatMap(({ http, target }) => {
    const matches = http.match?.length ? http.match : [undefined];
    return matches.map((m) => ({ match: routeMatch(m), route: routeAction(target, true) }));
  });
  return { routes: out, problems };
}
