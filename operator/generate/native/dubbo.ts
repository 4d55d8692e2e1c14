/**
 * Dubbo through Envoy's native `dubbo_proxy` (control-plane spec §3.4): it replaces
 * `tcp_proxy` on the outbound listener of every VIP (routes for the interface named by the
 * ServiceEntry's `interface` annotation, from the VirtualService) and on the inbound listener
 * (every interface to `inbound|<port>||`, behind the RBAC filters of the namespace's
 * DubboAuthorizationPolicies). Protocol Dubbo and serialization Hessian2 are enum 0, so absent.
 *
 * Without the `interface` annotation upstream wrote an empty DubboProxy that Envoy rejects
 * (quirk Q4); here the outbound filter is left out and a problem names the annotation.
 *
 * @module
 */
import type { ProtocolGenerator, ServiceContext } from "../context.ts";
import type { NetworkFilter } from "../envelope.ts";
import type { GenerateProblem } from "../snapshot.ts";
import { bothSides, inboundName, type Json, outboundName, serviceProblem } from "./_shared.ts";
import { buildDubboRbacFilters } from "./dubbo_rbac.ts";
import { catchAllRoute, dubboRoutes } from "./dubbo_routes.ts";

/** Envoy's Dubbo proxy filter. */
export const DUBBO_FILTER = "envoy.filters.network.dubbo_proxy";
/** The type of its config. */
export const DUBBO_TYPE_URL =
  "type.googleapis.com/envoy.extensions.filters.network.dubbo_proxy.v3.DubboProxy";
/** The Dubbo router sub-filter. */
export const DUBBO_ROUTER = "envoy.filters.dubbo.router";
/** The ServiceEntry annotation naming the Dubbo interface of the service. */
export const INTERFACE_ANNOTATION = "interface";

function dubboProxy(name: string, iface: string, routes: Json[], filters: Json[]): Json {
  return {
    statPrefix: name,
    routeConfig: [{ name, interface: iface, routes }],
    dubboFilters: [...filters, { name: DUBBO_ROUTER }],
  };
}

function outbound(
  ctx: ServiceContext,
  port: number,
): { filter?: NetworkFilter; problems: GenerateProblem[] } {
  const iface = ctx.serviceEntry.metadata.annotations?.[INTERFACE_ANNOTATION];
  if (!iface) {
    const message = `Add the "${INTERFACE_ANNOTATION}" annotation with the Dubbo interface ` +
      `(e.g. "org.apache.dubbo.samples.basic.api.DemoService"): outbound Dubbo traffic of ` +
      `"${ctx.host}" stays plain TCP until then`;
    return {
      problems: [serviceProblem(ctx, `metadata.annotations.${INTERFACE_ANNOTATION}`, message)],
    };
  }
  const { routes, problems } = dubboRoutes(ctx, port);
  const value = dubboProxy(outboundName(ctx, port), iface, routes, []);
  return { filter: { name: DUBBO_FILTER, typeUrl: DUBBO_TYPE_URL, value }, problems };
}

/**
 * Dubbo: a `DubboProxy` per VIP named `outbound|<port>||<host>` for the annotated interface,
 * and one on the workloads named `inbound|<port>||` for interface `*` with the RBAC filters
 * (DENY, then ALLOW) before the router.
 */
export const dubboGenerator: ProtocolGenerator = (ctx, port) => {
  const p = port.number;
  const out = outbound(ctx, p);
  const rbac = buildDubboRbacFilters(ctx.dubboPolicies);
  const name = inboundName(p);
  const inbound = dubboProxy(name, "*", [catchAllRoute(name)], rbac.filters);
  const filters = bothSides(ctx, p, "REPLACE", {
    ...(out.filter ? { outbound: out.filter } : {}),
    inbound: { name: DUBBO_FILTER, typeUrl: DUBBO_TYPE_URL, value: inbound },
  });
  // The policies only matter (and are only reported) where an inbound filter applies them.
  const inboundUsed = filters.some((f) => f.workloadSelector);
  return { filters, problems: [...out.problems, ...(inboundUsed ? rbac.problems : [])] };
};
