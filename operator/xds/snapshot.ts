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
import { diffLists } from "../generate/_list_diff.ts";
import { OverlayMap } from "./_overlay_map.ts";
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
  /** The sum of the resources' mixes the version is the hash of. */
  readonly sum: MixSum;
  /** When patched from `previous`: the names whose version differs from it (or gone, or new). */
  readonly changedFrom?: {
    readonly previous: WeakRef<TypeSnapshot>;
    readonly names: readonly string[];
  };
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

/** A sum modulo 2^64 of entries' mixes, as two 32-bit halves, with the entry count. */
export interface MixSum {
  readonly hi: number;
  readonly lo: number;
  readonly count: number;
}

const TWO_32 = 0x100000000;

/** `sum` with `mix` added (`sign` 1) or taken away (`sign` -1). */
function addMix(sum: MixSum, mix: readonly [number, number], sign: 1 | -1): MixSum {
  const lo = sum.lo + sign * mix[1];
  const carry = Math.floor(lo / TWO_32);
  const hi = (((sum.hi + sign * mix[0] + carry) % TWO_32) + TWO_32) % TWO_32;
  return { hi, lo: lo - carry * TWO_32, count: sum.count + sign };
}

function sumOf(entries: Iterable<ResourceEntry>): MixSum {
  let sum: MixSum = { hi: 0, lo: 0, count: 0 };
  for (const e of entries) sum = addMix(sum, e.mix, 1);
  return sum;
}

function versionOf(sum: MixSum): string {
  return contentHash(`${sum.count}:${sum.hi.toString(16)}:${sum.lo.toString(16)}`);
}

/**
 * The version of a set of entries (names are unique): the sum modulo 2^64 of the hashes of
 * their `name=version` lines, with the count, hashed again. Order-independent and linear, with
 * no sorting or string building; a patched set updates the sum by its changes alone.
 */
export function entriesVersion(entries: Iterable<ResourceEntry>): string {
  return versionOf(sumOf(entries));
}

/** Beyond this many removed or added resources a type snapshot is rebuilt rather than patched. */
const MAX_PATCH = 64;

/**
 * The previous type snapshot with a few resources replaced, removed or added (the list's
 * common prefix and suffix skipped by identity), sharing the previous map under an overlay and
 * updating the set version by the changed entries alone; `undefined` when the list changed more
 * than that, a new resource does not encode or two resources would share a name (a full build
 * reports those).
 */
function patched(
  typeUrl: string,
  values: ReadonlyArray<Json>,
  nameOf: (value: Json) => string,
  previous: TypeSnapshot,
): TypeSnapshot | undefined {
  const old = previous.source as ReadonlyArray<Json>;
  const clean = previous.problems.length === 0 && previous.resources.size === old.length;
  const diff = clean ? diffLists(old, values, MAX_PATCH) : undefined;
  if (!diff) return undefined;
  let sum = previous.sum;
  const gone = new Map<string, ResourceEntry>();
  for (const value of diff.removed) {
    const entry = previous.resources.get(nameOf(value))!;
    gone.set(entry.name, entry);
    sum = addMix(sum, entry.mix, -1);
  }
  const set: [string, ResourceEntry][] = [];
  const taken = new Set<string>();
  for (const value of diff.added) {
    const name = nameOf(value);
    const entry = encodeResource(typeUrl, name, value);
    if (!("resource" in entry) || taken.has(name)) return undefined;
    if (previous.resources.has(name) && !gone.has(name)) return undefined;
    taken.add(name);
    set.push([name, entry]);
    sum = addMix(sum, entry.mix, 1);
  }
  const added = new Map(set), names: string[] = [];
  for (const name of new Set([...gone.keys(), ...taken])) {
    if (gone.get(name)?.version !== added.get(name)?.version) names.push(name);
  }
  const resources = asOverlay(previous.resources).with({
    deleted: [...gone.keys()].filter((n) => !taken.has(n)),
    set,
  });
  return {
    typeUrl,
    version: versionOf(sum),
    resources,
    source: values,
    problems: [],
    sum,
    changedFrom: { previous: new WeakRef(previous), names },
  };
}

function asOverlay<K, V>(map: ReadonlyMap<K, V>): OverlayMap<K, V> {
  return map instanceof OverlayMap ? map : OverlayMap.of(map);
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
  const sum = sumOf(resources.values());
  return { typeUrl, version: versionOf(sum), resources, source: values, problems, sum };
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
