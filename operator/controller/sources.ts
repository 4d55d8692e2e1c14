/**
 * Which generation sources (`ServiceEntry/ns/name`) a problem's object feeds, so that the
 * controller keeps exactly those services' last good EnvoyFilters.
 *
 * @module
 */
import { applicationProtocolFromPortName, protocolFromPortName } from "../../api/mod.ts";
import type { GenerateProblem, MeshSnapshot } from "../generate/mod.ts";

type Raw = { readonly kind?: unknown; readonly spec?: unknown };

/**
 * Builds the lookup from a problem to the sources its object feeds (see
 * {@linkcode objectSources}): a ServiceEntry is its own source, a Service its synthetic entry,
 * and a MetaRouter, DestinationRule or VirtualService every ServiceEntry that serves one of the
 * hosts it names.
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
  const sourcesOf = objectSources(snapshot, inputs);
  return (problem) => sourcesOf(problem.object);
}

/**
 * Builds the lookup from an input object (`Kind/namespace/name`) to the generation sources
 * (`ServiceEntry/ns/name`) it feeds: a ServiceEntry itself, a Service its synthetic entry, a
 * MetaRouter, DestinationRule, VirtualService, RedisService or RedisDestination the entries
 * serving a host it names, a DubboAuthorizationPolicy the Dubbo services of its namespace, and
 * an ApplicationProtocol the services with a MetaProtocol port of its protocol. Read from the
 * raw object, since a bad object is not in the snapshot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SNAPSHOT } from "../generate/mod.ts";
 * import { objectSources } from "./sources.ts";
 * const se = {
 *   kind: "ServiceEntry", metadata: { namespace: "a", name: "s" },
 *   spec: { hosts: ["h"], ports: [{ number: 9, name: "tcp-metaprotocol-trpc-x" }] },
 * };
 * const snapshot = { ...EMPTY_SNAPSHOT, serviceEntries: [se] } as never;
 * const raw = new Map([["ApplicationProtocol/trpc", { kind: "ApplicationProtocol", spec: { protocol: "trpc" } }]]);
 * const sourcesOf = objectSources(snapshot, { raw, origins: new Map() });
 * assert.deepEqual(sourcesOf("ApplicationProtocol/trpc"), ["ServiceEntry/a/s"]);
 * ```
 */
export function objectSources(
  snapshot: MeshSnapshot,
  inputs: {
    /** Every input object by `Kind/namespace/name`. */
    readonly raw: ReadonlyMap<string, Raw>;
    /** Synthetic ServiceEntry ref → the Service it came from. */
    readonly origins: ReadonlyMap<string, string>;
  },
): (object: string) => string[] {
  const byHost = new Map<string, string[]>();
  for (const se of snapshot.serviceEntries) {
    const ref = `ServiceEntry/${se.metadata.namespace}/${se.metadata.name}`;
    for (const host of se.spec.hosts ?? []) byHost.set(host, [...(byHost.get(host) ?? []), ref]);
  }
  const fromService = new Map([...inputs.origins].map(([se, svc]) => [svc, se]));
  return (object) => {
    const [kind, ...rest] = object.split("/");
    if (kind === "ServiceEntry") return [object];
    if (kind === "Service") return [fromService.get(object) ?? object];
    const spec = (inputs.raw.get(object)?.spec ?? {}) as Record<string, unknown>;
    if (kind === "DubboAuthorizationPolicy") {
      return portSources(
        snapshot,
        (se, port) => se.metadata.namespace === rest[0] && protocolFromPortName(port) === "dubbo",
      );
    }
    if (kind === "ApplicationProtocol") {
      const protocol = typeof spec.protocol === "string" ? spec.protocol.toLowerCase() : "";
      return portSources(snapshot, (_, port) => {
        const app = applicationProtocolFromPortName(port);
        return protocol !== "" && app.ok && app.value.toLowerCase() === protocol;
      });
    }
    const hosts = [spec.hosts, spec.host].flat().filter((h): h is string => typeof h === "string");
    return [...new Set(hosts.flatMap((h) => byHost.get(h) ?? []))].sort();
  };
}

/** The ServiceEntries with a port `matches` accepts, sorted. */
function portSources(
  snapshot: MeshSnapshot,
  matches: (se: MeshSnapshot["serviceEntries"][number], portName: string) => boolean,
): string[] {
  return snapshot.serviceEntries
    .filter((se) => (se.spec.ports ?? []).some((p) => matches(se, p.name ?? "")))
    .map((se) => `ServiceEntry/${se.metadata.namespace}/${se.metadata.name}`)
    .sort();
}
