/**
 * Versions of route configurations: content hashes, never timestamps (upstream's whole-second
 * timestamps could hide a second rebuild within the same second, quirk Q17). Each object is
 * hashed once; memoized generation hands back the same objects, so versions come for free.
 *
 * @module
 */
import type { RouteConfiguration } from "./snapshot.ts";
import { contentHash, stableStringify } from "./stable_json.ts";

const versions = new WeakMap<RouteConfiguration, string>();

/**
 * The version of one route configuration: a 64-bit content hash of its canonical JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeConfigurationVersion } from "./versions.ts";
 * const a = routeConfigurationVersion({ name: "a_1", virtualHosts: [] });
 * assert.equal(routeConfigurationVersion({ virtualHosts: [], name: "a_1" }), a);
 * assert.notEqual(routeConfigurationVersion({ name: "a_2", virtualHosts: [] }), a);
 * ```
 */
export function routeConfigurationVersion(config: RouteConfiguration): string {
  let version = versions.get(config);
  if (version === undefined) {
    version = contentHash(stableStringify(config));
    versions.set(config, version);
  }
  return version;
}

/** The version of a whole set of route configurations (order-independent). */
export function routeConfigurationsVersion(configs: readonly RouteConfiguration[]): string {
  const parts = configs.map((c) => `${c.name}=${routeConfigurationVersion(c)}`).sort();
  return contentHash(parts.join("\n"));
}
