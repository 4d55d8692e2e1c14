/**
 * The version of one generated xDS resource: a content hash of its canonical JSON, computed
 * once per object (memoized generation hands back the same objects for unchanged services).
 *
 * @module
 */
import { contentHash, stableStringify } from "../stable_json.ts";

const versions = new WeakMap<object, string>();

/**
 * The version of `resource`: the same content always has the same version, whatever its key
 * order; different content has a different one (a 64-bit hash).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resourceVersion } from "./resource_version.ts";
 * assert.equal(resourceVersion({ name: "a", type: "EDS" }), resourceVersion({ type: "EDS", name: "a" }));
 * assert.notEqual(resourceVersion({ name: "a" }), resourceVersion({ name: "b" }));
 * ```
 */
export function resourceVersion(resource: object): string {
  let version = versions.get(resource);
  if (version === undefined) {
    version = contentHash(stableStringify(resource));
    versions.set(resource, version);
  }
  return version;
}
