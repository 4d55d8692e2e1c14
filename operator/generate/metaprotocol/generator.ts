/**
 * The MetaProtocol protocol generator: for one `tcp-metaprotocol-<app>-…` port of a service,
 * the outbound EnvoyFilters (one per VIP), the inbound EnvoyFilter (when the service selects
 * workloads) and the route configuration served over RDS.
 *
 * @module
 */
import {
  applicationProtocolFromPortName,
  BUILT_IN_CODECS,
  type IstioPort,
  unknownApplicationProtocolMessage,
} from "../../../api/mod.ts";
import type { ProtocolGenerator, ProtocolOutput, ServiceContext } from "../context.ts";
import { inboundFilters, networkFilterPatch, outboundFilters } from "../envelope.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";
import { buildInboundProxy, buildOutboundProxy, type ProxyParams } from "./proxy.ts";
import {
  buildGlobalRateLimit,
  buildLocalRateLimit,
  type MetaProtocolFilter,
} from "./rate_limit.ts";
import {
  buildMetaRouteConfiguration,
  routingMetaRouter,
  toRdsRouteConfiguration,
} from "./routes.ts";

/**
 * The application protocol and codec of a MetaProtocol port, or the problem that stops
 * generation for it (no application protocol in the name, quirk Q1; no codec registered).
 */
export function resolveProtocol(
  port: IstioPort,
  codecFor: (applicationProtocol: string) => string | undefined,
  knownProtocols: readonly string[] = Object.keys(BUILT_IN_CODECS),
): { applicationProtocol: string; codec: string } | { message: string } {
  const app = applicationProtocolFromPortName(port.name ?? "");
  if (!app.ok) return { message: app.message };
  const codec = codecFor(app.value);
  if (!codec) {
    return { message: unknownApplicationProtocolMessage(port.name ?? "", knownProtocols) };
  }
  return { applicationProtocol: app.value, codec };
}

function rateLimitFilters(ctx: ServiceContext): {
  filters: MetaProtocolFilter[];
  problems: GenerateProblem[];
} {
  const local = ctx.metaRouters.find((r) => r.spec.localRateLimit !== undefined);
  const global = ctx.metaRouters.find((r) => r.spec.globalRateLimit !== undefined);
  const results = [
    local ? buildLocalRateLimit(local) : undefined,
    global ? buildGlobalRateLimit(global) : undefined,
  ];
  return {
    filters: results.flatMap((r) => (r?.filter ? [r.filter] : [])),
    problems: results.flatMap((r) => r?.problems ?? []),
  };
}

/**
 * Generates the MetaProtocol filters and routes of one port. Routes come from the first
 * MetaRouter of the host with routes; rate limits from the first MetaRouter that sets each.
 */
export const metaProtocolGenerator: ProtocolGenerator = (ctx, port, portIndex) => {
  const resolved = resolveProtocol(port, ctx.codecFor, ctx.knownProtocols);
  if ("message" in resolved) {
    const field = `spec.ports[${portIndex}].name`;
    return {
      filters: [],
      problems: [{ object: objectRef(ctx.serviceEntry), field, message: resolved.message }],
    };
  }
  const params: ProxyParams = {
    host: ctx.host,
    port: port.number,
    ...resolved,
    ...(ctx.meshConfig ? { meshConfig: ctx.meshConfig } : {}),
    rootNamespace: ctx.options.rootNamespace,
  };
  const routing = routingMetaRouter(ctx.host, ctx.metaRouters);
  const routes = buildMetaRouteConfiguration(ctx, port.number, routing.router);
  const inline = ctx.options.routes === "inline";
  const outbound = buildOutboundProxy(params, inline ? { inline: routes } : { rds: routes.name });
  const limits = rateLimitFilters(ctx);
  const inbound = buildInboundProxy(params, limits.filters);
  const output: ProtocolOutput = {
    filters: [
      ...outboundFilters(ctx, port.number, (vip) => [
        networkFilterPatch({ direction: "outbound", vip, port: port.number }, "REPLACE", outbound),
      ]),
      ...inboundFilters(ctx, port.number, [
        networkFilterPatch({ direction: "inbound", port: port.number }, "REPLACE", inbound),
      ]),
    ],
    problems: [...routing.problems, ...limits.problems],
    routeConfigurations: inline ? [] : [toRdsRouteConfiguration(routes)],
  };
  return output;
};
