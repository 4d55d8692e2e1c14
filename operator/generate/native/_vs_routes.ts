/**
 * VirtualService HTTP routes as the Envoy-native Dubbo and Thrift proxies read them: each
 * `http[]` entry becomes a route whose destinations are subsets of the service itself
 * (the destination host is ignored, as upstream does) on the port being generated.
 *
 * @module
 */
import type { HttpRoute, VirtualService } from "../../../api/mod.ts";
import type { ServiceContext } from "../context.ts";
import { clusterName } from "../names.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";
import type { Json } from "./_shared.ts";

/** Where a route sends requests: one cluster or weighted clusters. */
export type RouteTarget =
  | { readonly cluster: string }
  | { readonly clusters: ReadonlyArray<{ readonly name: string; readonly weight: number }> };

/** One usable `http[]` entry of the VirtualService, with its index for problems. */
export interface VsRoute {
  readonly http: HttpRoute;
  readonly index: number;
  readonly target: RouteTarget;
}

function vsProblem(vs: VirtualService, field: string, message: string): GenerateProblem {
  return { object: objectRef(vs), field, message };
}

/**
 * The target of one HTTP route. With several destinations, destinations of weight 0 are left
 * out (they get no traffic, and Envoy's Thrift proxy rejects a weight of 0).
 */
function targetOf(
  ctx: ServiceContext,
  port: number,
  http: HttpRoute,
  field: string,
): RouteTarget | string {
  const dests = http.route ?? [];
  const cluster = (subset?: string) => clusterName("outbound", port, subset ?? "", ctx.host);
  if (dests.length === 0) {
    return `Add a destination to route ${
      JSON.stringify(http.name ?? field)
    }: a route without destinations cannot be generated`;
  }
  if (dests.length === 1) return { cluster: cluster(dests[0].destination.subset) };
  const clusters = dests
    .filter((d) => (d.weight ?? 0) > 0)
    .map((d) => ({ name: cluster(d.destination.subset), weight: Math.trunc(d.weight ?? 0) }));
  if (clusters.length === 0) {
    return `Set a weight above 0 on at least one destination of route ${
      JSON.stringify(http.name ?? field)
    }: its ${dests.length} destinations have no weight`;
  }
  return { clusters };
}

/**
 * The routes of the service's VirtualService, or `undefined` when it has none (no
 * VirtualService, no `http` routes, or none usable): callers then use their default
 * catch-all route. Unusable routes are reported and left out.
 */
export function vsRoutes(
  ctx: ServiceContext,
  port: number,
): { routes?: VsRoute[]; problems: GenerateProblem[] } {
  const vs = ctx.virtualService;
  if (!vs) return { problems: [] };
  const problems: GenerateProblem[] = [];
  const routes: VsRoute[] = [];
  for (const [index, http] of (vs.spec.http ?? []).entries()) {
    const field = `spec.http[${index}].route`;
    const target = targetOf(ctx, port, http, field);
    if (typeof target === "string") problems.push(vsProblem(vs, field, target));
    else routes.push({ http, index, target });
  }
  return routes.length > 0 ? { routes, problems } : { problems };
}

/** A route action in proto3 JSON; `totalWeight` is added for Envoy's route.v3 WeightedCluster. */
export function routeAction(target: RouteTarget, withTotalWeight: boolean): Json {
  if ("cluster" in target) return { cluster: target.cluster };
  const clusters = target.clusters.map((c) => ({ name: c.name, weight: c.weight }));
  const total = target.clusters.reduce((sum, c) => sum + c.weight, 0);
  return {
    weightedClusters: withTotalWeight ? { clusters, totalWeight: total } : { clusters },
  };
}
