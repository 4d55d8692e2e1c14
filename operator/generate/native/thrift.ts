/**
 * Thrift through Envoy's native `thrift_proxy` (control-plane spec §3.5): it replaces
 * `tcp_proxy` on the outbound and inbound listeners of the port. Outbound routes come from
 * the service's VirtualService (subsets and weights; its matches are ignored, as upstream
 * does); inbound routes everything to `inbound|<port>||`. Transport and protocol are AUTO
 * (enum 0, so absent from the JSON).
 *
 * @module
 */
import type { ProtocolGenerator, ServiceContext } from "../context.ts";
import { bothSides, inboundName, type Json, outboundName } from "./_shared.ts";
import { routeAction, vsRoutes } from "./_vs_routes.ts";
import type { GenerateProblem } from "../snapshot.ts";

/** Envoy's Thrift proxy filter. */
export const THRIFT_FILTER = "envoy.filters.network.thrift_proxy";
/** The type of its config. */
export const THRIFT_TYPE_URL =
  "type.googleapis.com/envoy.extensions.filters.network.thrift_proxy.v3.ThriftProxy";
/** The Thrift router sub-filter. */
export const THRIFT_ROUTER = "envoy.filters.thrift.router";

/** An empty method name matches every method. */
function anyMethod(): Json {
  return { methodName: "" };
}

function thriftProxy(name: string, routes: Json[]): Json {
  return {
    statPrefix: name,
    routeConfig: { name, routes },
    thriftFilters: [{ name: THRIFT_ROUTER }],
  };
}

function outboundRoutes(
  ctx: ServiceContext,
  port: number,
): { routes: Json[]; problems: GenerateProblem[] } {
  const { routes, problems } = vsRoutes(ctx, port);
  if (!routes) {
    return {
      routes: [{ match: anyMethod(), route: { cluster: outboundName(ctx, port) } }],
      problems,
    };
  }
  return {
    routes: routes.map((r) => ({ match: anyMethod(), route: routeAction(r.target, false) })),
    problems,
  };
}

/**
 * Thrift: a `ThriftProxy` named and stat-prefixed `outbound|<port>||<host>` per VIP (routes
 * from the VirtualService, else one catch-all route) and `inbound|<port>||` on the workloads.
 */
export const thriftGenerator: ProtocolGenerator = (ctx, port) => {
  const p = port.number;
  const { routes, problems } = outboundRoutes(ctx, p);
  const inbound = inboundName(p);
  const filters = bothSides(ctx, p, "REPLACE", {
    outbound: {
      name: THRIFT_FILTER,
      typeUrl: THRIFT_TYPE_URL,
      value: thriftProxy(outboundName(ctx, p), routes),
    },
    inbound: {
      name: THRIFT_FILTER,
      typeUrl: THRIFT_TYPE_URL,
      value: thriftProxy(inbound, [{ match: anyMethod(), route: { cluster: inbound } }]),
    },
  });
  return { filters, problems };
};
