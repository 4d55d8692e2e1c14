/**
 * Consistent, versioned xDS snapshots: every resource encoded once into the `Any` a response
 * carries, with its content hash as version; a version per resource type over its resources'
 * names and versions; and a snapshot version over the type versions. Versions are content
 * hashes, never clock readings: the same content always has the same version, different
 * content a different one.
 *
 * @module
 */
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  encode,
  formatProblems,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from "../../proto/mod.ts";
import { contentHash, resourceVersion } from "../generate/mod.ts";
import type { AnyMessage } from "./_wire.ts";

/** The resource types we serve, in the order Envoy wants them applied (CDS, EDS, LDS, RDS). */
export const XDS_TYPE_URLS = [
  CLUSTER_TYPE_URL,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
] as const;

/** Types whose SotW subscription with no names means "all of them" (wildcard). */
export const WILDCARD_TYPE_URLS: ReadonlySet<string> = new Set([
  LISTENER_TYPE_URL,
  CLUSTER_TYPE_URL,
]);

/** A resource as proto3 JSON. */
type Json = object;

/**
 * What a snapshot is made of: proto3 JSON resources by type, each named by its `name` field
 * (`clusterName` for load assignments).
 */
export interface XdsResources {
  readonly listeners?: readonly object[];
  readonly clusters?: readonly object[];
  readonly loadAssignments?: readonly object[];
  readonly routeConfigurations?: readonly object[];
}

/** One encoded resource. */
export interface ResourceEntry {
  readonly name: string;
  readonly version: string;
  readonly resource: AnyMessage;
  /** The hash of `name=version` as two 32-bit halves, summed into set versions. */
  readonly mix: readonly [number, number];
}

/** The resources of one type and their version. */
export interface TypeSnapshot {
  readonly typeUrl: string;
  readonly version: string;
  readonly resources: ReadonlyMap<string, ResourceEntry>;
  /** The list it was built from: the same list next time means the same type snapshot. */
  readonly source: readonly unknown[];
  /** Resources of the list that could not be encoded. */
  readonly problems: readonly SnapshotProblem[];
}

/** A resource that could not be encoded (the previous one of that name, if any, is kept). */
export interface SnapshotProblem {
  readonly typeUrl: string;
  readonly name: string;
  readonly message: string;
}

/** A consistent set of resources of every type, with versions. Immutable. */
export interface XdsSnapshot {
  readonly version: string;
  readonly types: ReadonlyMap<string, TypeSnapshot>;
  readonly problems: readonly SnapshotProblem[];
}

const encoded = new WeakMap<object, ResourceEntry | SnapshotProblem>();

function encodeResource(
  typeUrl: string,
  name: string,
  value: Json,
): ResourceEntry | SnapshotProblem {
  let entry = encoded.get(value);
  if (entry === undefined) {
    const r = encode(typeUrl, value);
    if (r.ok) {
      const version = resourceVersion(value);
      const h = contentHash(`${name}=${version}`);
      const mix = [parseInt(h.slice(0, 8), 16), parseInt(h.slice(8), 16)] as const;
      entry = { name, version, resource: { type_url: typeUrl, value: r.bytes }, mix };
    } else {
      entry = { typeUrl, name, message: `Cannot encode "${name}": ${formatProblems(r.problems)}` };
    }
    encoded.set(value, entry);
  }
  return entry;
}

/**
 * The version of a set of entries (names are unique): the sum modulo 2^64 of the hashes of
 * their `name=version` lines, with the count, hashed again. Order-independent and linear, with
 * no sorting or string building, so a push to a mesh of 10,000 services stays cheap.
 */
export function entriesVersion(entries: Iterable<ResourceEntry>): string {
  let hi = 0, lo = 0, count = 0;
  for (const e of entries) {
    hi += e.mix[0];
    lo += e.mix[1];
    count++;
  }
  // Exact below 2^53: fine for up to 2^21 entries per set.
  const carry = Math.floor(lo / 0x100000000);
  const sumLo = lo % 0x100000000, sumHi = (hi + carry) % 0x100000000;
  return contentHash(`${count}:${sumHi.toString(16)}:${sumLo.toString(16)}`);
}

/** Beyond this many replaced resources a type snapshot is rebuilt rather than patched. */
const MAX_PATCH = 64;

/**
 * The previous type snapshot with the few resources replaced in place (same positions, same
 * names), or `undefined` when the list changed more than that (or had duplicates or problems).
 */
function patched(
  typeUrl: string,
  values: ReadonlyArray<Json>,
  nameOf: (value: Json) => string,
  previous: TypeSnapshot,
): TypeSnapshot | undefined {
  const old = previous.source as ReadonlyArray<Json>;
  const clean = previous.problems.length === 0 && previous.resources.size === old.length;
  if (!clean || old.length !== values.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== old[i] && changed.push(i) > MAX_PATCH) return undefined;
  }
  const resources = new Map(previous.resources);
  const problems: SnapshotProblem[] = [];
  for (const i of changed) {
    const name = nameOf(values[i]);
    if (name !== nameOf(old[i])) return undefined;
    const entry = encodeResource(typeUrl, name, values[i]);
    if ("resource" in entry) resources.set(name, entry);
    else problems.push(entry);
  }
  const version = entriesVersion(resources.values());
  return { typeUrl, version, resources, source: values, problems };
}

function typeSnapshot(
  typeUrl: string,
  values: ReadonlyArray<Json>,
  nameOf: (value: Json) => string,
  previous: TypeSnapshot | undefined,
): TypeSnapshot {
  if (previous?.source === values) return previous;
  const patch = previous && patched(typeUrl, values, nameOf, previous);
  if (patch) return patch;
  const problems: SnapshotProblem[] = [];
  const resources = new Map<string, ResourceEntry>();
  for (const value of values) {
    const name = nameOf(value);
    const entry = encodeResource(typeUrl, name, value);
    if ("resource" in entry) {
      resources.set(name, entry);
      continue;
    }
    problems.push(entry);
    const kept = previous?.resources.get(name);
    if (kept) resources.set(name, kept);
  }
  return {
    typeUrl,
    version: entriesVersion(resources.values()),
    resources,
    source: values,
    problems,
  };
}

/**
 * Encodes `resources` into a snapshot. A resource that does not encode is reported and the
 * previous snapshot's resource of that name (if any) kept: a bad resource never takes the
 * last good one away, and never stops the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildXdsSnapshot } from "./snapshot.ts";
 * const routes = [{ name: "a_1", virtualHosts: [] }];
 * const a = buildXdsSnapshot({ routeConfigurations: routes });
 * assert.equal(a.version, buildXdsSnapshot({ routeConfigurations: structuredClone(routes) }).version);
 * assert.notEqual(a.version, buildXdsSnapshot({}).version);
 * ```
 */
export function buildXdsSnapshot(resources: XdsResources, previous?: XdsSnapshot): XdsSnapshot {
  const byName = (v: Json) => String((v as { name?: unknown }).name ?? "");
  const lists: Record<string, [ReadonlyArray<Json>, (v: Json) => string]> = {
    [CLUSTER_TYPE_URL]: [resources.clusters ?? [], byName],
    [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL]: [
      resources.loadAssignments ?? [],
      (v) => String((v as { clusterName?: unknown }).clusterName ?? ""),
    ],
    [LISTENER_TYPE_URL]: [resources.listeners ?? [], byName],
    [ROUTE_CONFIGURATION_TYPE_URL]: [resources.routeConfigurations ?? [], byName],
  };
  const types = new Map<string, TypeSnapshot>();
  for (const typeUrl of XDS_TYPE_URLS) {
    const [values, nameOf] = lists[typeUrl];
    const prev = previous?.types.get(typeUrl);
    types.set(typeUrl, typeSnapshot(typeUrl, values, nameOf, prev));
  }
  const problems = [...types.values()].flatMap((t) => t.problems);
  const version = contentHash(XDS_TYPE_URLS.map((t) => `${t}=${types.get(t)!.version}`).join("\n"));
  return { version, types, problems };
}

/** An empty snapshot (every type with no resources). */
export const EMPTY_XDS_SNAPSHOT: XdsSnapshot = buildXdsSnapshot({});
