/**
 * Weighted clusters of weight 0 left out of generated route configurations before they are
 * served to our proxy. Envoy never picks such a cluster, so nothing changes for Envoy; our
 * proxy's RDS client reads the encoded `weight: {}` (a UInt32Value of 0 has no bytes) as a
 * missing weight and NACKs the table, which would make a 100/0 MetaRouter unusable. Outputs
 * are memoized per input object so unchanged tables keep their identity (the snapshot cache
 * reuses their encoding).
 *
 * @module
 */
import type { RouteConfiguration } from "../generate/mod.ts";

type Json = Readonly<Record<string, unknown>>;

const memo = new WeakMap<RouteConfiguration, RouteConfiguration>();

function withoutZero(route: Json): Json {
  const action = route.route as Json | undefined;
  const wc = action?.weightedClusters as { clusters?: Json[] } | undefined;
  if (!wc?.clusters?.some((c) => c.weight === 0)) return route;
  const clusters = wc.clusters.filter((c) => c.weight !== 0);
  if (clusters.length === 0) return route;
  return { ...route, route: { ...action, weightedClusters: { ...wc, clusters } } };
}

function strip(config: RouteConfiguration): RouteConfiguration {
  let changed = false;
  const virtualHosts = config.virtualHosts.map((vh) => {
    const routes = (vh.routes as Json[] | undefined) ?? [];
    const out = routes.map(withoutZero);
    if (out.every((r, i) => r === routes[i])) return vh;
    changed = true;
    return { ...vh, routes: out };
  });
  return changed ? { ...config, virtualHosts } : config;
}

/** `configs` without zero-weight clusters; the same list when nothing had one. */
export function dropZeroWeights(
  configs: readonly RouteConfiguration[],
): readonly RouteConfiguration[] {
  let changed = false;
  const out = configs.map((c) => {
    let s = memo.get(c);
    if (!s) memo.set(c, s = strip(c));
    if (s !== c) changed = true;
    return s;
  });
  return changed ? out : configs;
}
