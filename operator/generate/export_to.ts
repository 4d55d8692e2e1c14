/**
 * Where a service's EnvoyFilters go (control-plane spec §3.1): the root namespace by default,
 * the service's own namespace with `namespaceScope`, or — when a MetaRouter of the host sets
 * `exportTo` — one copy in each exported namespace (`.` is the MetaRouter's namespace, `*` the
 * root namespace, `~` nowhere, quirk Q14) and none in the default place.
 *
 * @module
 */
import { resolveExportTo } from "../../api/mod.ts";
import type { FilterDraft, ServiceContext } from "./context.ts";
import { MANAGED_BY } from "./names.ts";
import type { GeneratedObject } from "./snapshot.ts";

/** `apiVersion` of generated EnvoyFilters. */
export const ENVOY_FILTER_API_VERSION = "networking.istio.io/v1alpha3";

/**
 * The namespaces a service's EnvoyFilters go to, sorted. Several MetaRouters with `exportTo`
 * for one host export to the union of their namespaces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filterNamespaces } from "./export_to.ts";
 * const options = { rootNamespace: "istio-system", namespaceScope: false, domain: "cluster.local", routes: "rds" } as const;
 * assert.deepEqual(filterNamespaces({ namespace: "app", metaRouters: [], options }), ["istio-system"]);
 * assert.deepEqual(
 *   filterNamespaces({ namespace: "app", metaRouters: [], options: { ...options, namespaceScope: true } }),
 *   ["app"],
 * );
 * ```
 */
export function filterNamespaces(
  ctx: Pick<ServiceContext, "namespace" | "metaRouters" | "options">,
): string[] {
  const exported = new Set<string>();
  let anyExportTo = false;
  for (const router of ctx.metaRouters) {
    const target = resolveExportTo(router.spec.exportTo, {
      namespace: router.metadata.namespace ?? "",
      rootNamespace: ctx.options.rootNamespace,
    });
    if (target.kind === "default") continue;
    anyExportTo = true;
    for (const ns of target.namespaces) exported.add(ns);
  }
  if (anyExportTo) return [...exported].sort();
  return [ctx.options.namespaceScope ? ctx.namespace : ctx.options.rootNamespace];
}

/** The EnvoyFilter object of a draft in one namespace, labelled `manager: Aeraki`. */
export function envoyFilterObject(draft: FilterDraft, namespace: string): GeneratedObject {
  return {
    apiVersion: ENVOY_FILTER_API_VERSION,
    kind: "EnvoyFilter",
    metadata: { name: draft.name, namespace, labels: MANAGED_BY },
    spec: {
      ...(draft.workloadSelector ? { workloadSelector: { labels: draft.workloadSelector } } : {}),
      configPatches: draft.configPatches,
    },
  };
}

/** Every draft placed in every namespace. */
export function placeFilters(
  drafts: readonly FilterDraft[],
  namespaces: readonly string[],
): GeneratedObject[] {
  return namespaces.flatMap((ns) => drafts.map((d) => envoyFilterObject(d, ns)));
}
