/**
 * MetaProtocol at an Istio ingress gateway (control-plane spec §3.3): for each gateway server
 * whose port name is MetaProtocol, the first MetaRouter bound to the gateway with a destination
 * on that port gets a VirtualService (so Istio opens the `0.0.0.0_<port>` TCP listener) and an
 * EnvoyFilter that replaces the listener's `tcp_proxy` with the outbound MetaProtocol proxy.
 *
 * Upstream renamed every filter of a gateway to the last port's name, so gateways with several
 * MetaProtocol servers lost all but one (quirk Q11); here each server gets its own filter.
 *
 * @module
 */
import {
  type DestinationRule,
  type Gateway,
  type GatewayServer,
  type MeshConfig,
  type MetaRouter,
  protocolFromPortName,
  type ServiceEntry,
} from "../../api/mod.ts";
import type { ResolvedOptions } from "./context.ts";
import { networkFilterPatch } from "./envelope.ts";
import { envoyFilterObject } from "./export_to.ts";
import { resolveProtocol } from "./metaprotocol/generator.ts";
import { buildOutboundProxy } from "./metaprotocol/proxy.ts";
import { buildMetaRouteConfiguration } from "./metaprotocol/routes.ts";
import {
  gatewayFilterName,
  gatewayVirtualServiceName,
  MANAGED_BY,
  routeConfigName,
} from "./names.ts";
import { type GeneratedObject, type GenerateProblem, objectRef } from "./snapshot.ts";

/** Everything gateway generation reads besides the gateway itself. */
export interface GatewayContext {
  /** The MetaRouters bound to the gateway, by namespace/name. */
  readonly routers: readonly MetaRouter[];
  readonly meshConfig?: MeshConfig;
  readonly codecFor: (applicationProtocol: string) => string | undefined;
  /** The application protocols that have a codec, for messages. */
  readonly knownProtocols?: readonly string[];
  /** The service whose `hosts[0]` is `host`. */
  readonly service: (host: string) => ServiceEntry | undefined;
  /** The DestinationRule of a host (inline routes only). */
  readonly destinationRule: (host: string, namespace: string) => DestinationRule | undefined;
  readonly options: ResolvedOptions;
}

/** What gateway generation returns for one gateway. */
export interface GatewayOutput {
  readonly envoyFilters: readonly GeneratedObject[];
  readonly virtualServices: readonly GeneratedObject[];
  readonly problems: readonly GenerateProblem[];
}

/** `namespace/name` of a gateway reference in a MetaRouter (`name` alone: the router's namespace). */
export function gatewayKey(ref: string, routerNamespace: string): string {
  return ref.includes("/") ? ref : `${routerNamespace}/${ref}`;
}

/** The MetaRouters bound to each gateway (`namespace/name`), each list by namespace/name. */
export function routersByGateway(routers: readonly MetaRouter[]): Map<string, MetaRouter[]> {
  const map = new Map<string, MetaRouter[]>();
  for (const r of routers) {
    const ns = r.metadata.namespace ?? "";
    for (const key of new Set((r.spec.gateways ?? []).map((g) => gatewayKey(g, ns)))) {
      const list = map.get(key);
      if (list) list.push(r);
      else map.set(key, [r]);
    }
  }
  for (const list of map.values()) list.sort(compareRouters);
  return map;
}

function compareRouters(a: MetaRouter, b: MetaRouter): number {
  const ka = `${a.metadata.namespace ?? ""}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ""}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function servesPort(router: MetaRouter, port: number): boolean {
  return (router.spec.routes ?? []).some((r) =>
    r.route.some((d) => d.destination.port?.number === port)
  );
}

function gatewayVirtualService(gw: Gateway, host: string, port: number): GeneratedObject {
  const ns = gw.metadata.namespace ?? "";
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "VirtualService",
    metadata: {
      name: gatewayVirtualServiceName(gw.metadata.name, ns, port),
      namespace: ns,
      labels: MANAGED_BY,
    },
    spec: {
      hosts: [host],
      gateways: [`${ns}/${gw.metadata.name}`],
      tcp: [{ match: [{ port }], route: [{ destination: { host, port: { number: port } } }] }],
    },
  };
}

function routesProblem(gw: Gateway, i: number, host: string, ctx: GatewayContext) {
  const port = Number(gw.spec.servers?.[i].port.number);
  const ports = ctx.service(host)?.spec.ports ?? [];
  const served = ports.some((p) =>
    p.number === port && protocolFromPortName(p.name ?? "") === "metaprotocol"
  );
  if (served || ctx.options.routes === "inline") return [];
  return [{
    object: objectRef(gw),
    field: `spec.servers[${i}].port.number`,
    message: `Use a MetaProtocol port of service "${host}" as the gateway port: routes ` +
      `"${routeConfigName(host, port)}" exist only if the service has port ${port}`,
  }];
}

function serverOutput(gw: Gateway, server: GatewayServer, i: number, ctx: GatewayContext) {
  const port = server.port.number;
  const router = ctx.routers.find((r) => servesPort(r, port));
  if (!router) {
    const message = `Add a route with destination port ${port} to a MetaRouter bound to ` +
      `gateway "${gw.metadata.namespace}/${gw.metadata.name}": server port "${server.port.name}" ` +
      "has no MetaRouter";
    return { problems: ctx.routers.length > 0 ? [problem(gw, i, "port", message)] : [] };
  }
  const resolved = resolveProtocol(server.port, ctx.codecFor, ctx.knownProtocols);
  if ("message" in resolved) return { problems: [problem(gw, i, "port.name", resolved.message)] };
  const host = router.spec.hosts[0];
  const params = {
    host,
    port,
    ...resolved,
    ...(ctx.meshConfig ? { meshConfig: ctx.meshConfig } : {}),
    rootNamespace: ctx.options.rootNamespace,
  };
  const ruleNs = ctx.service(host)?.metadata.namespace ?? router.metadata.namespace ?? "";
  const routes = ctx.options.routes === "inline"
    ? {
      inline: buildMetaRouteConfiguration(
        { host, destinationRule: ctx.destinationRule(host, ruleNs) },
        port,
        router,
      ),
    }
    : { rds: routeConfigName(host, port) };
  const proxy = buildOutboundProxy(params, routes);
  const ns = gw.metadata.namespace ?? "";
  const selector = gw.spec.selector ?? {};
  const draft = {
    name: gatewayFilterName(gw.metadata.name, ns, port),
    ...(Object.keys(selector).length > 0 ? { workloadSelector: selector } : {}),
    configPatches: [
      networkFilterPatch({ direction: "outbound", vip: "0.0.0.0", port }, "REPLACE", proxy),
    ],
  };
  return {
    filter: envoyFilterObject(draft, ns),
    virtualService: gatewayVirtualService(gw, host, port),
    problems: routesProblem(gw, i, host, ctx),
  };
}

function problem(gw: Gateway, i: number, field: string, message: string): GenerateProblem {
  return { object: objectRef(gw), field: `spec.servers[${i}].${field}`, message };
}

/** The EnvoyFilters and VirtualServices of one gateway's MetaProtocol servers. */
export function buildGateway(gateway: Gateway, ctx: GatewayContext): GatewayOutput {
  const envoyFilters: GeneratedObject[] = [];
  const virtualServices: GeneratedObject[] = [];
  const problems: GenerateProblem[] = [];
  const servers = gateway.spec.servers ?? [];
  const seen = new Set<number>();
  servers.forEach((server, i) => {
    if (protocolFromPortName(server.port.name ?? "") !== "metaprotocol") return;
    if (seen.has(server.port.number)) return;
    seen.add(server.port.number);
    const out = serverOutput(gateway, server, i, ctx);
    if ("filter" in out && out.filter) {
      envoyFilters.push(out.filter);
      virtualServices.push(out.virtualService);
    }
    problems.push(...out.problems);
  });
  return { envoyFilters, virtualServices, problems };
}
