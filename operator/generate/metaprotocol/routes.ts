/**
 * MetaProtocol routes of one service port (control-plane spec §5): built from the first
 * MetaRouter of the host that has routes (upstream stopped at the first MetaRouter even without
 * routes, quirk Q16), with consistent-hash keys from the DestinationRule, weighted clusters,
 * mirrors and mutations — or a single default route when no MetaRouter routes the host.
 *
 * Routes are built once in the MetaProtocol route proto's shape (what an inline `routeConfig`
 * holds) and converted by {@link toRdsRouteConfiguration} into the Envoy HTTP
 * `RouteConfiguration` the RDS server serves.
 *
 * @module
 */
import {
  consistentHashHeader,
  type Destination,
  type DestinationRule,
  type MetaRoute,
  type MetaRouter,
} from "../../../api/mod.ts";
import type { ServiceContext } from "../context.ts";
import { clusterName, routeConfigName } from "../names.ts";
import { type GenerateProblem, objectRef, type RouteConfiguration } from "../snapshot.ts";
import { routeMatch } from "./header_match.ts";

/** A route configuration in the MetaProtocol route proto's JSON shape. */
export interface MetaRouteConfiguration {
  readonly name: string;
  readonly routes: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** What route building reads of a service: its host and DestinationRule. */
export type RouteTarget = Pick<ServiceContext, "host" | "destinationRule">;

/** The first MetaRouter with routes, and problems for later ones whose routes are ignored. */
export function routingMetaRouter(
  host: string,
  routers: readonly MetaRouter[],
): { router?: MetaRouter; problems: GenerateProblem[] } {
  const withRoutes = routers.filter((r) => (r.spec.routes?.length ?? 0) > 0);
  const [router, ...ignored] = withRoutes;
  const problems = ignored.map((r) => ({
    object: objectRef(r),
    field: "spec.routes",
    message:
      `Move these routes into MetaRouter "${router.metadata.namespace}/${router.metadata.name}": only the first MetaRouter (by namespace/name) routes host "${host}"`,
  }));
  return { router, problems };
}

function hashKeys(rule: DestinationRule | undefined, subsets: readonly string[]): string[] {
  if (!rule) return [];
  const keys: string[] = [];
  for (const subset of subsets) {
    const key = consistentHashHeader(rule.spec, subset || undefined);
    if (key && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

function cluster(d: Destination, port: number): string {
  return clusterName("outbound", d.port?.number || port, d.subset ?? "", d.host);
}

function mirrorPolicies(route: MetaRoute, port: number): Record<string, unknown> {
  if (!route.mirror) return {};
  const percent = route.mirrorPercentage?.value || 100;
  const fraction = { numerator: Math.round(percent * 10000), denominator: "MILLION" };
  return {
    requestMirrorPolicies: [{
      cluster: cluster(route.mirror, port),
      runtimeFraction: { defaultValue: fraction },
    }],
  };
}

function routeAction(
  route: MetaRoute,
  port: number,
  target: RouteTarget,
): Record<string, unknown> {
  const { host, destinationRule: rule } = target;
  const dests = route.route;
  // The service's DestinationRule says how to hash traffic to the service, not to other hosts.
  const own = dests.filter((d) => d.destination.host === host);
  const keys = hashKeys(rule, own.map((d) => d.destination.subset ?? ""));
  const clusters = dests.length === 1 ? { cluster: cluster(dests[0].destination, port) } : {
    weightedClusters: {
      clusters: dests.map((d) => ({ name: cluster(d.destination, port), weight: d.weight ?? 0 })),
      totalWeight: dests.reduce((sum, d) => sum + (d.weight ?? 0), 0),
    },
  };
  return {
    ...clusters,
    ...(keys.length > 0 ? { hashPolicy: keys } : {}),
    ...mirrorPolicies(route, port),
  };
}

function metaRoute(route: MetaRoute, port: number, target: RouteTarget): Record<string, unknown> {
  const kv = (list: MetaRoute["requestMutation"]) =>
    (list ?? []).map((m) => ({ key: m.key, value: m.value }));
  const request = kv(route.requestMutation), response = kv(route.responseMutation);
  return {
    ...(route.name ? { name: route.name } : {}),
    match: routeMatch(route.match),
    route: routeAction(route, port, target),
    ...(request.length > 0 ? { requestMutation: request } : {}),
    ...(response.length > 0 ? { responseMutation: response } : {}),
  };
}

function defaultRoute(ctx: RouteTarget, port: number): Record<string, unknown> {
  const keys = hashKeys(ctx.destinationRule, [""]);
  return {
    name: "default",
    match: {},
    route: {
      cluster: clusterName("outbound", port, "", ctx.host),
      ...(keys.length > 0 ? { hashPolicy: keys } : {}),
    },
  };
}

/**
 * The routes of `ctx`'s host on `port`, named `<host>_<port>`, from `router` (see
 * {@link routingMetaRouter}) or a default route to the service.
 */
export function buildMetaRouteConfiguration(
  ctx: RouteTarget,
  port: number,
  router: MetaRouter | undefined,
): MetaRouteConfiguration {
  const name = routeConfigName(ctx.host, port);
  const routes = router?.spec.routes ?? [];
  if (routes.length === 0) return { name, routes: [defaultRoute(ctx, port)] };
  return { name, routes: routes.map((r) => metaRoute(r, port, ctx)) };
}

function rdsRoute(route: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const match = route.match as { metadata?: unknown[] };
  const action = route.route as Record<string, unknown>;
  const { hashPolicy, requestMirrorPolicies, ...target } = action as {
    hashPolicy?: string[];
    requestMirrorPolicies?: unknown[];
  };
  const headers = (list: unknown) =>
    (list as { key: string; value: string }[]).map((h) => ({ header: h }));
  return {
    ...(route.name ? { name: route.name } : {}),
    match: { prefix: "/", ...(match.metadata ? { headers: match.metadata } : {}) },
    route: {
      ...target,
      ...(requestMirrorPolicies ? { requestMirrorPolicies } : {}),
      ...(hashPolicy ? { hashPolicy: hashPolicy.map((k) => ({ header: { headerName: k } })) } : {}),
    },
    ...(route.requestMutation ? { requestHeadersToAdd: headers(route.requestMutation) } : {}),
    ...(route.responseMutation ? { responseHeadersToAdd: headers(route.responseMutation) } : {}),
  };
}

/**
 * The Envoy HTTP `RouteConfiguration` (proto3 JSON) the RDS server serves for a MetaProtocol
 * route configuration: one virtual host `dummy` for `*`, every route matching prefix `/` plus
 * the attribute matchers as headers (the proxy converts it back, data-plane spec §2.3).
 */
export function toRdsRouteConfiguration(config: MetaRouteConfiguration): RouteConfiguration {
  return {
    name: config.name,
    virtualHosts: [{ name: "dummy", domains: ["*"], routes: config.routes.map(rdsRoute) }],
  };
}
