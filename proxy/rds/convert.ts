/**
 * Envoy HTTP `RouteConfiguration` (as Aeraki's MetaRDS serves it, control-plane spec §5) →
 * a MetaProtocol route table, exactly per data-plane spec §2.3, with two changes: a mirror
 * policy without `runtime_fraction` mirrors always (upstream copied an unset default and
 * never mirrored), and a route's `timeout` and `retry_policy` are kept (upstream has none).
 *
 * @module
 */
import { CompileContext, compileMatchers, fraction } from "../bootstrap/mod.ts";
import type {
  ClusterTargetModel,
  KeyValueModel,
  MirrorPolicyModel,
  RetryPolicyModel,
  RouteModel,
  RouteTableModel,
} from "../config/model.ts";

type Msg = Record<string, unknown>;

/** The converted table, or why the update must be rejected (NACKed). */
export type ConvertResult =
  | { readonly ok: true; readonly table: RouteTableModel }
  | { readonly ok: false; readonly error: string };

const RETRY_ON = new Set(["connect-failure", "reset", "refused-stream"]);

function obj(v: unknown): Msg | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Msg : undefined;
}

function arr(v: unknown): Msg[] {
  return Array.isArray(v) ? v as Msg[] : [];
}

/** Milliseconds of a decoded `google.protobuf.Duration` (`{seconds, nanos}`). */
export function durationMs(d: unknown): number | undefined {
  const o = obj(d);
  if (!o) return undefined;
  return Number(o.seconds ?? 0) * 1000 + Number(o.nanos ?? 0) / 1e6;
}

function wrapped(v: unknown): number | undefined {
  const o = obj(v);
  return o && typeof o.value === "number" ? o.value : undefined;
}

function headerKvs(list: unknown): KeyValueModel[] {
  return arr(list).flatMap((h) => {
    const kv = obj(h.header);
    return kv && typeof kv.key === "string" ? [{ key: kv.key, value: String(kv.value ?? "") }] : [];
  });
}

function target(action: Msg): ClusterTargetModel | string {
  if (typeof action.cluster === "string" && action.cluster !== "") {
    return { kind: "cluster", name: action.cluster };
  }
  const wc = obj(action.weighted_clusters);
  if (!wc) return "set cluster or weighted_clusters";
  const clusters = arr(wc.clusters).map((c) => ({
    name: String(c.name ?? ""),
    weight: wrapped(c.weight),
  }));
  const bad = clusters.find((c) => c.weight === undefined || c.name === "");
  if (bad || clusters.length === 0) return "every weighted cluster needs a name and a weight";
  return { kind: "weighted", clusters: clusters as { name: string; weight: number }[] };
}

function mirrors(action: Msg): MirrorPolicyModel[] {
  return arr(action.request_mirror_policies).map((m) => {
    const rf = obj(m.runtime_fraction);
    const cluster = String(m.cluster ?? "");
    return rf ? { cluster, fraction: fraction(obj(rf.default_value)) } : { cluster };
  });
}

function retry(action: Msg): RetryPolicyModel | string | undefined {
  const rp = obj(action.retry_policy);
  if (!rp) return undefined;
  const on = String(rp.retry_on ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = on.filter((s) => !RETRY_ON.has(s));
  if (unknown.length > 0) {
    return `cannot retry on "${unknown.join(",")}": use connect-failure, reset, refused-stream`;
  }
  const perTry = durationMs(rp.per_try_timeout);
  return {
    numRetries: wrapped(rp.num_retries) ?? 1,
    retryOn: on as RetryPolicyModel["retryOn"],
    ...(perTry ? { perTryTimeoutMs: perTry } : {}),
  };
}

function route(r: Msg, i: number, ctx: CompileContext): RouteModel | string {
  const where = `route ${i} ("${r.name ?? ""}")`;
  const action = obj(r.route);
  if (!action) return `${where}: only route actions are supported (no redirect or direct_response)`;
  const t = target(action);
  if (typeof t === "string") return `${where}: ${t}`;
  const rp = retry(action);
  if (typeof rp === "string") return `${where}: ${rp}`;
  const timeoutMs = durationMs(action.timeout);
  const hashPolicy = arr(action.hash_policy).flatMap((h) => {
    const name = obj(h.header)?.header_name;
    return typeof name === "string" ? [name.toLowerCase()] : [];
  });
  const before = ctx.problems.length;
  const match = compileMatchers(ctx, arr(obj(r.match)?.headers));
  if (ctx.problems.length > before) return `${where}: ${ctx.problems[before].message}`;
  return {
    name: String(r.name ?? ""),
    match,
    action: {
      target: t,
      hashPolicy,
      mirrors: mirrors(action),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(rp ? { retryPolicy: rp } : {}),
    },
    requestMutation: headerKvs(r.request_headers_to_add),
    responseMutation: headerKvs(r.response_headers_to_add),
  };
}

/**
 * Converts one decoded `envoy.config.route.v3.RouteConfiguration` (snake_case fields) into
 * the table `expectedName`. Only `virtual_hosts[0].routes` are used (spec §2.3).
 */
export function convertRouteConfiguration(
  rc: Msg,
  expectedName: string,
  version: string,
): ConvertResult {
  const name = String(rc.name ?? "");
  if (name !== expectedName) {
    return {
      ok: false,
      error: `Cannot use route configuration "${name}": expected "${expectedName}"`,
    };
  }
  const ctx = new CompileContext(new WeakMap());
  const routes: RouteModel[] = [];
  const vhosts = arr(rc.virtual_hosts);
  for (const [i, r] of arr(vhosts[0]?.routes).entries()) {
    const m = route(r, i, ctx);
    if (typeof m === "string") {
      return { ok: false, error: `Cannot use route configuration "${name}": ${m}` };
    }
    routes.push(m);
  }
  return { ok: true, table: { name, version, routes } };
}
