/**
 * A route table compiled for matching: HeaderMatcher semantics on a message's lower-cased
 * metadata (spec §2.2), weighted-cluster picks, the hash-policy key and mirror decisions.
 * Compiled once per table; matching allocates nothing.
 *
 * @module
 */
import { RE2JS } from "re2js";
import type {
  ClusterTargetModel,
  MetadataMatcherModel,
  MirrorPolicyModel,
  RouteModel,
  RouteTableModel,
} from "../config/model.ts";
import { chainedXxh64 } from "./xxh64.ts";

type Test = (value: string) => boolean;

/** One matcher ready to run. */
interface CompiledMatcher {
  readonly name: string;
  readonly test: Test;
  readonly missing: boolean;
  readonly invert: boolean;
  readonly treatMissingAsEmpty: boolean;
}

/** A route ready to run. */
export interface CompiledRoute {
  readonly model: RouteModel;
  readonly name: string;
  readonly matchers: readonly CompiledMatcher[];
  /** The single cluster, or undefined when weighted. */
  readonly cluster: string | undefined;
  readonly weighted: readonly { readonly name: string; readonly end: number }[];
  readonly totalWeight: number;
  readonly hashPolicy: readonly string[];
  readonly mirrors: readonly MirrorPolicyModel[];
  /** The route's request mutation as a map (later keys win); shared, never changed. */
  readonly requestMutation: ReadonlyMap<string, string>;
  readonly responseMutation: ReadonlyMap<string, string>;
}

function stringTest(m: MetadataMatcherModel["match"]): Test {
  switch (m.kind) {
    case "exact":
    case "prefix":
    case "suffix":
    case "contains": {
      const want = m.ignoreCase ? m.value.toLowerCase() : m.value;
      const norm = m.ignoreCase ? (v: string) => v.toLowerCase() : (v: string) => v;
      if (m.kind === "exact") return (v) => norm(v) === want;
      if (m.kind === "prefix") return (v) => norm(v).startsWith(want);
      if (m.kind === "suffix") return (v) => norm(v).endsWith(want);
      return (v) => norm(v).includes(want);
    }
    case "regex": {
      const re = RE2JS.compile(m.regex);
      return (v) => re.matches(v);
    }
    case "present":
      return () => m.present;
    case "range":
      return (v) => {
        if (!/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        return n >= m.start && n < m.end;
      };
  }
}

function compileMatcher(m: MetadataMatcherModel): CompiledMatcher {
  return {
    name: m.name.toLowerCase(),
    test: stringTest(m.match),
    // A missing key matches only `present: false`.
    missing: m.match.kind === "present" && !m.match.present,
    invert: m.invert === true,
    treatMissingAsEmpty: m.treatMissingAsEmpty === true,
  };
}

/** The key every request carries: the listener's application protocol (spec §1.2). */
export const APPLICATION_PROTOCOL = "x-meta-protocol-application-protocol";

/**
 * Whether every matcher matches `metadata` (AND; none = match); `protocol` is the value of
 * `x-meta-protocol-application-protocol` when the message does not carry it.
 */
export function matchesAll(
  matchers: readonly CompiledMatcher[],
  metadata: ReadonlyMap<string, string>,
  protocol?: string,
): boolean {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i];
    let value = metadata.get(m.name);
    if (value === undefined && m.name === APPLICATION_PROTOCOL) value = protocol;
    if (value === undefined && m.treatMissingAsEmpty) value = "";
    const ok = value === undefined ? m.missing : m.test(value);
    if (ok === m.invert) return false;
  }
  return true;
}

/** Compiles metadata matchers; throws on an invalid RE2 regex (the compiler checks first). */
export function compileMatchers(
  models: readonly MetadataMatcherModel[],
): readonly CompiledMatcher[] {
  return models.map(compileMatcher);
}

function compileTarget(t: ClusterTargetModel) {
  if (t.kind === "cluster") return { cluster: t.name, weighted: [], totalWeight: 0 };
  let end = 0;
  const weighted = t.clusters.filter((c) => c.weight > 0).map((c) => ({
    name: c.name,
    end: end += c.weight,
  }));
  return { cluster: undefined, weighted, totalWeight: end };
}

function compileRoute(r: RouteModel): CompiledRoute {
  const mutation = (kvs: RouteModel["requestMutation"]) => {
    const map = new Map<string, string>();
    for (const kv of kvs) map.set(kv.key, kv.value);
    return map;
  };
  return {
    model: r,
    name: r.name,
    matchers: compileMatchers(r.match),
    ...compileTarget(r.action.target),
    hashPolicy: r.action.hashPolicy.map((k) => k.toLowerCase()),
    mirrors: r.action.mirrors,
    requestMutation: mutation(r.requestMutation),
    responseMutation: mutation(r.responseMutation),
  };
}

/** A compiled route table; first matching route wins. */
export class RouteTable {
  readonly model: RouteTableModel;
  readonly routes: readonly CompiledRoute[];

  /** Compiles `model`; throws on an invalid regex. */
  constructor(model: RouteTableModel) {
    this.model = model;
    this.routes = model.routes.map(compileRoute);
  }

  /** The first route matching `metadata` (of a `protocol` listener), or undefined. */
  match(metadata: ReadonlyMap<string, string>, protocol?: string): CompiledRoute | undefined {
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) {
      if (matchesAll(routes[i].matchers, metadata, protocol)) return routes[i];
    }
    return undefined;
  }
}

/** The cluster of `route` for random number `random` (`random % total`, spec §2.2). */
export function pickCluster(route: CompiledRoute, random: number): string {
  if (route.cluster !== undefined) return route.cluster;
  const w = route.weighted;
  if (w.length === 0) return "";
  const selected = random % route.totalWeight;
  for (let i = 0; i < w.length; i++) if (selected < w[i].end) return w[i].name;
  return w[w.length - 1].name;
}

/**
 * The hash key of a request: the chained XXH64 of the sorted values of the policy's keys
 * (missing → ""), or undefined when the route has no hash policy.
 */
export function hashKey(
  route: CompiledRoute,
  metadata: ReadonlyMap<string, string>,
): bigint | undefined {
  const keys = route.hashPolicy;
  if (keys.length === 0) return undefined;
  const values = keys.map((k) => metadata.get(k) ?? "").sort();
  return chainedXxh64(values);
}

/** Whether a mirror policy fires for random number `random` (runtime fraction). */
export function shouldMirror(policy: MirrorPolicyModel, random: number): boolean {
  const f = policy.fraction;
  if (!f) return true;
  return random % f.denominator < f.numerator;
}
