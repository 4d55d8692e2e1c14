/**
 * A gateway as a unit of memoized generation (see `_service_unit.ts`): reused while the
 * gateway, the MetaRouters bound to it and the mesh config are the same objects and the lists
 * its lookups read (services, DestinationRules, ApplicationProtocols) are unchanged.
 *
 * @module
 */
import type { Gateway, MeshConfig, MetaRouter } from "../../api/mod.ts";
import type { Changed, UnitOutput } from "./_service_unit.ts";
import { buildGateway, gatewayKey, routersByGateway } from "./gateway.ts";
import type { ListDiff } from "./_list_diff.ts";
import type { ServiceIndex } from "./service_index.ts";

/** A generated gateway and what it read. */
export interface GatewayEntry {
  readonly gateway: Gateway;
  readonly routers: readonly MetaRouter[];
  readonly mesh?: MeshConfig;
  readonly output: UnitOutput;
}

const NONE: readonly MetaRouter[] = [];

/** The MetaRouters bound to each gateway, rebuilt only when the MetaRouter list changes. */
export class GatewayRouters {
  #source?: readonly MetaRouter[];
  #map = new Map<string, MetaRouter[]>();

  /**
   * The routers bound to `gateway` in `routers`. `changed` (the routers removed and added
   * since list `from`) lets a change that binds no gateway keep the map.
   */
  for(
    routers: readonly MetaRouter[],
    gateway: Gateway,
    changed?: { readonly from: readonly MetaRouter[]; readonly diff?: ListDiff<MetaRouter> },
  ): readonly MetaRouter[] {
    if (this.#source !== routers) {
      const bindsNone = (list: readonly MetaRouter[]) =>
        list.every((r) => (r.spec.gateways ?? []).length === 0);
      const diff = changed?.from === this.#source ? changed?.diff : undefined;
      const keep = this.#source !== undefined && diff !== undefined &&
        bindsNone(diff.removed) && bindsNone(diff.added);
      if (!keep) this.#map = routersByGateway(routers);
      this.#source = routers;
    }
    return this.#map.get(
      gatewayKey(`${gateway.metadata.namespace ?? ""}/${gateway.metadata.name}`, ""),
    ) ?? NONE;
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Generates `gateway`, or reuses `prev` when nothing it read changed. */
export function gatewayUnit(
  gateway: Gateway,
  index: ServiceIndex,
  routers: readonly MetaRouter[],
  prev: GatewayEntry | undefined,
  changed: Changed,
): GatewayEntry {
  const mesh = index.snapshot.meshConfig;
  const lookupsSame = !changed.serviceEntries && !changed.destinationRules &&
    !changed.applicationProtocols;
  if (
    prev && prev.gateway === gateway && prev.mesh === mesh && sameItems(prev.routers, routers) &&
    lookupsSame
  ) return prev;
  const out = buildGateway(gateway, {
    routers,
    ...(mesh ? { meshConfig: mesh } : {}),
    codecFor: (p) => index.codecFor(p),
    knownProtocols: index.knownProtocols(),
    service: (h) => index.service(h),
    destinationRule: (h, ns) => index.destinationRuleFor(h, ns),
    options: index.options,
  });
  return {
    gateway,
    routers,
    ...(mesh ? { mesh } : {}),
    output: { ...out, routeConfigurations: [] },
  };
}
