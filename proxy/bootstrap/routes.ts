/**
 * MetaProtocol route tables (`aeraki.meta_protocol_proxy.config.route.v1alpha`) and Envoy
 * `HeaderMatcher`s → the runtime model (spec §2.2). Reads snake_case plain messages, so the
 * RDS client reuses {@linkcode compileMatchers} on decoded Envoy routes.
 *
 * @module
 */
import { re2Problem } from "../../api/regex.ts";
import type {
  ClusterTargetModel,
  KeyValueModel,
  MetadataMatcherModel,
  MirrorPolicyModel,
  RouteModel,
  RouteTableModel,
  StringMatchModel,
} from "../config/model.ts";
import { bool, type CompileContext, list, msg, num, str } from "./_context.ts";
import type { Plain } from "./_normalize.ts";

const DENOMINATORS: Readonly<Record<string, number>> = {
  HUNDRED: 100,
  TEN_THOUSAND: 10_000,
  MILLION: 1_000_000,
};

function regex(ctx: CompileContext, m: Plain | undefined, field: string): StringMatchModel {
  const pattern = str(m, "regex");
  const bad = re2Problem(pattern);
  if (bad) ctx.problem(m, field, bad);
  return { kind: "regex", regex: pattern };
}

function stringMatch(ctx: CompileContext, m: Plain): StringMatchModel | undefined {
  const ignoreCase = bool(m, "ignore_case") || undefined;
  for (const kind of ["exact", "prefix", "suffix", "contains"] as const) {
    if (typeof m[kind] === "string") return { kind, value: m[kind] as string, ignoreCase };
  }
  if (msg(m, "safe_regex")) return regex(ctx, msg(m, "safe_regex"), "regex");
  return ctx.problem(m, undefined, "Cannot match: string_match sets no matcher");
}

function specifier(ctx: CompileContext, h: Plain): StringMatchModel | undefined {
  const plain = { exact_match: "exact", prefix_match: "prefix", suffix_match: "suffix" } as const;
  for (const [field, kind] of Object.entries(plain)) {
    if (typeof h[field] === "string") return { kind, value: h[field] as string };
  }
  if (typeof h.contains_match === "string") return { kind: "contains", value: h.contains_match };
  if (msg(h, "safe_regex_match")) return regex(ctx, msg(h, "safe_regex_match"), "regex");
  const range = msg(h, "range_match");
  if (range) return { kind: "range", start: num(range, "start") ?? 0, end: num(range, "end") ?? 0 };
  if (typeof h.present_match === "boolean") return { kind: "present", present: h.present_match };
  const sm = msg(h, "string_match");
  if (sm) return stringMatch(ctx, sm);
  // Envoy treats a matcher without a specifier as a presence check.
  return { kind: "present", present: true };
}

/**
 * Compiles `HeaderMatcher`s on message metadata: names lower-cased, regexes checked as RE2.
 * Problems go to `ctx`; a matcher with a problem is left out.
 */
export function compileMatchers(
  ctx: CompileContext,
  matchers: readonly Plain[],
): MetadataMatcherModel[] {
  const out: MetadataMatcherModel[] = [];
  for (const h of matchers) {
    const name = str(h, "name");
    if (name === "") ctx.problem(h, "name", "Cannot match metadata: name is empty");
    const match = specifier(ctx, h);
    if (match === undefined || name === "") continue;
    out.push({
      name: name.toLowerCase(),
      match,
      ...(bool(h, "invert_match") ? { invert: true } : {}),
      ...(bool(h, "treat_missing_header_as_empty") ? { treatMissingAsEmpty: true } : {}),
    });
  }
  return out;
}

/** A `FractionalPercent` ({numerator, denominator enum}) as the model's fraction. */
export function fraction(p: Plain | undefined): { numerator: number; denominator: number } {
  const denominator = DENOMINATORS[str(p, "denominator") || "HUNDRED"] ?? 100;
  return { numerator: num(p, "numerator") ?? 0, denominator };
}

function target(ctx: CompileContext, action: Plain): ClusterTargetModel | undefined {
  const cluster = str(action, "cluster");
  const weighted = msg(action, "weighted_clusters");
  if (cluster !== "") return { kind: "cluster", name: cluster };
  if (!weighted) {
    return ctx.problem(action, undefined, "Cannot route: set cluster or weighted_clusters");
  }
  const clusters: { name: string; weight: number }[] = [];
  for (const c of list(weighted, "clusters")) {
    const weight = num(c, "weight");
    if (weight === undefined) {
      ctx.problem(c, "weight", "Cannot use a weighted cluster: weight is required");
    }
    if (str(c, "name") === "") {
      ctx.problem(c, "name", "Cannot use a weighted cluster: name is empty");
    }
    if (weight !== undefined) clusters.push({ name: str(c, "name"), weight });
  }
  if (clusters.length === 0) {
    return ctx.problem(weighted, "clusters", "Cannot route: weighted_clusters lists no cluster");
  }
  return { kind: "weighted", clusters };
}

/** Compiles one aeraki `RequestMirrorPolicy`; no runtime_fraction = always mirror. */
export function compileMirror(ctx: CompileContext, m: Plain): MirrorPolicyModel | undefined {
  const cluster = str(m, "cluster");
  if (cluster === "") return ctx.problem(m, "cluster", "Cannot mirror: cluster is empty");
  const rf = msg(m, "runtime_fraction");
  return rf ? { cluster, fraction: fraction(msg(rf, "default_value")) } : { cluster };
}

function keyValues(ctx: CompileContext, kvs: readonly Plain[]): KeyValueModel[] {
  return kvs.flatMap((kv) => {
    const key = str(kv, "key");
    if (key === "") return ctx.problem(kv, "key", "Cannot mutate: key is empty") ?? [];
    return [{ key, value: str(kv, "value") }];
  });
}

function route(ctx: CompileContext, r: Plain): RouteModel | undefined {
  const action = msg(r, "route");
  if (!action) return ctx.problem(r, "route", "Cannot use a route without an action: set route");
  const t = target(ctx, action);
  const hashPolicy = Array.isArray(action.hash_policy)
    ? (action.hash_policy as string[]).map((k) => k.toLowerCase())
    : [];
  const mirrors = list(action, "request_mirror_policies").map((m) => compileMirror(ctx, m));
  if (!t || mirrors.some((m) => m === undefined)) return undefined;
  return {
    name: str(r, "name"),
    match: compileMatchers(ctx, list(msg(r, "match"), "metadata")),
    action: { target: t, hashPolicy, mirrors: mirrors as MirrorPolicyModel[] },
    requestMutation: keyValues(ctx, list(r, "request_mutation")),
    responseMutation: keyValues(ctx, list(r, "response_mutation")),
  };
}

/** Compiles an inline MetaProtocol `RouteConfiguration`. */
export function compileRouteTable(ctx: CompileContext, rc: Plain): RouteTableModel {
  const routes = list(rc, "routes").map((r) => route(ctx, r)).filter((r) => r !== undefined);
  return { name: str(rc, "name"), version: "", routes };
}
