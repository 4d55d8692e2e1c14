/**
 * Routes to clusters that do not exist — a MetaRouter naming a subset its host's
 * DestinationRule lacks — found before a config is served. Generation keeps such a route (a
 * sidecar's cluster may come from elsewhere), but in `aeraki local` every cluster is ours, so
 * the route could only fail; the edit is refused like any invalid one.
 *
 * @module
 */
import type { MeshSnapshot, ProxyResources } from "../generate/mod.ts";

type Json = Readonly<Record<string, unknown>>;

function targets(route: Json): string[] {
  const action = route.route as Json | undefined;
  if (!action) return [];
  if (typeof action.cluster === "string") return [action.cluster];
  const wc = action.weightedClusters as { clusters?: Json[] } | undefined;
  return (wc?.clusters ?? []).map((c) => String(c.name ?? ""));
}

function routerOf(snapshot: MeshSnapshot, host: string): string {
  const router = snapshot.metaRouters.find((r) => r.spec.hosts?.includes(host));
  if (!router) return `ServiceEntry of "${host}"`;
  const ns = router.metadata.namespace;
  return `MetaRouter/${ns ? `${ns}/` : ""}${router.metadata.name}`;
}

/** Problems `{ object, message }` for every route whose cluster is not generated. */
export function danglingRoutes(
  snapshot: MeshSnapshot,
  resources: ProxyResources,
): { object: string; field: string; message: string }[] {
  const clusters = new Set(resources.clusters.map((c) => c.name));
  const problems: { object: string; field: string; message: string }[] = [];
  for (const config of resources.routeConfigurations) {
    const host = config.name.slice(0, config.name.lastIndexOf("_"));
    for (const vh of config.virtualHosts) {
      for (const route of (vh.routes as Json[] | undefined) ?? []) {
        for (const cluster of targets(route)) {
          if (clusters.has(cluster)) continue;
          const subset = cluster.split("|")[2];
          problems.push({
            object: routerOf(snapshot, host),
            field: `route "${String(route.name ?? "")}"`,
            message: subset
              ? `Add subset "${subset}" to the DestinationRule of "${host}" or route elsewhere: cluster "${cluster}" does not exist`
              : `Route to a host of a ServiceEntry: cluster "${cluster}" does not exist`,
          });
        }
      }
    }
  }
  return problems;
}
