/**
 * Which generation sources (`ServiceEntry/ns/name`) a problem's object feeds, so that the
 * controller keeps exactly those services' last good EnvoyFilters.
 *
 * @module
 */
import type { GenerateProblem, MeshSnapshot } from "../generate/mod.ts";

type Raw = { readonly kind?: unknown; readonly spec?: unknown };

/**
 * Builds the lookup from a problem to the sources it touches: a ServiceEntry is its own
 * source, a Service its synthetic entry, and a MetaRouter, DestinationRule or VirtualService
 * every ServiceEntry that serves one of the hosts it names (read from the raw object, since a
 * bad object is not in the snapshot).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SNAPSHOT } from "../generate/mod.ts";
 * import { problemSources } from "./sources.ts";
 * const se = { kind: "ServiceEntry", metadata: { namespace: "a", name: "s" }, spec: { hosts: ["h"] } };
 * const snapshot = { ...EMPTY_SNAPSHOT, serviceEntries: [se] } as never;
 * const raw = new Map([["MetaRouter/a/r", { kind: "MetaRouter", spec: { hosts: ["h"] } }]]);
 * const sourcesOf = problemSources(snapshot, { raw, origins: new Map() });
 * assert.deepEqual(sourcesOf({ object: "MetaRouter/a/r", field: "spec", message: "x" }), [
 *   "ServiceEntry/a/s",
 * ]);
 * ```
 */
export function problemSources(
  snapshot: MeshSnapshot,
  inputs: {
    /** Every input object by `Kind/namespace/name`. */
    readonly raw: ReadonlyMap<string, Raw>;
    /** Synthetic ServiceEntry ref → the Service it came from. */
    readonly origins: ReadonlyMap<string, string>;
  },
): (problem: GenerateProblem) => string[] {
  const byHost = new Map<string, string[]>();
  for (const se of snapshot.serviceEntries) {
    const ref = `ServiceEntry/${se.metadata.namespace}/${se.metadata.name}`;
    for (const host of se.spec.hosts ?? []) byHost.set(host, [...(byHost.get(host) ?? []), ref]);
  }
  const fromService = new Map([...inputs.origins].map(([se, svc]) => [svc, se]));
  return (problem) => {
    const kind = problem.object.split("/")[0];
    if (kind === "ServiceEntry") return [problem.object];
    if (kind === "Service") return [fromService.get(problem.object) ?? problem.object];
    const spec = (inputs.raw.get(problem.object)?.spec ?? {}) as {
      hosts?: unknown;
      host?: unknown;
    };
    const hosts = [
      ...(Array.isArray(spec.hosts) ? spec.hosts : []),
      ...(typeof spec.host === "string" ? [spec.host] : []),
    ].filter((h): h is string => typeof h === "string");
    return [...new Set(hosts.flatMap((h) => byHost.get(h) ?? []))].sort();
  };
}
