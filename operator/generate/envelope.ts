/**
 * The EnvoyFilter envelope every sidecar generator uses (control-plane spec §3.1): a
 * NETWORK_FILTER patch on the outbound `<vip>_<port>` listener or the `virtualInbound`
 * listener's filter chain for the port, replacing or preceding `tcp_proxy`, with the filter
 * config wrapped in a `udpa.type.v1.TypedStruct`.
 *
 * @module
 */
import type { FilterDraft, ServiceContext } from "./context.ts";
import { inboundFilterName, outboundFilterName, outboundListenerName } from "./names.ts";

/** The TypedStruct wrapper type. */
export const TYPED_STRUCT = "type.googleapis.com/udpa.type.v1.TypedStruct";
/** The filter Aeraki replaces or precedes. */
export const TCP_PROXY = "envoy.filters.network.tcp_proxy";

/** A network filter: its name, the proto type of its config and the config (proto3 JSON). */
export interface NetworkFilter {
  readonly name: string;
  readonly typeUrl: string;
  readonly value: Readonly<Record<string, unknown>>;
}

/** Where a patch applies. */
export type ListenerMatch =
  | { readonly direction: "outbound"; readonly vip: string; readonly port: number }
  | { readonly direction: "inbound"; readonly port: number };

/** The filter value wrapped in a TypedStruct, as Aeraki writes it. */
export function typedFilter(filter: NetworkFilter): Record<string, unknown> {
  return {
    name: filter.name,
    typed_config: { "@type": TYPED_STRUCT, type_url: filter.typeUrl, value: filter.value },
  };
}

/** One NETWORK_FILTER config patch. */
export function networkFilterPatch(
  where: ListenerMatch,
  operation: "REPLACE" | "INSERT_BEFORE",
  filter: NetworkFilter,
): Record<string, unknown> {
  const listener = where.direction === "outbound"
    ? {
      name: outboundListenerName(where.vip, where.port),
      filterChain: { filter: { name: TCP_PROXY } },
    }
    : {
      name: "virtualInbound",
      filterChain: { destinationPort: where.port, filter: { name: TCP_PROXY } },
    };
  return {
    applyTo: "NETWORK_FILTER",
    match: { listener },
    patch: { operation, value: typedFilter(filter) },
  };
}

/**
 * The outbound EnvoyFilters of a port: one per VIP, each with `patchesFor(vip)`.
 * A service without VIPs has no outbound listener, so it gets none.
 */
export function outboundFilters(
  ctx: ServiceContext,
  port: number,
  patchesFor: (vip: string) => ReadonlyArray<Readonly<Record<string, unknown>>>,
): FilterDraft[] {
  return ctx.vips.map((vip) => ({
    name: outboundFilterName(ctx.host, vip, port),
    configPatches: patchesFor(vip),
  }));
}

/** The inbound EnvoyFilter of a port, or none when the service selects no workloads. */
export function inboundFilters(
  ctx: ServiceContext,
  port: number,
  patches: ReadonlyArray<Readonly<Record<string, unknown>>>,
): FilterDraft[] {
  if (!ctx.inboundSelector || Object.keys(ctx.inboundSelector).length === 0) return [];
  return [{
    name: inboundFilterName(ctx.host, port),
    workloadSelector: ctx.inboundSelector,
    configPatches: patches,
  }];
}
