/**
 * A DestinationRule's traffic policy as Envoy cluster fields for our proxy, the way Istio maps
 * it: `loadBalancer` → `lb_policy` (consistent hash → `RING_HASH`), `connectionPool` → circuit
 * breaker thresholds, connect timeout and TCP keepalive, `outlierDetection` →
 * `outlier_detection`. Each of the three comes from the most specific place that sets it: the
 * subset's port-level settings, the subset, the rule's port-level settings, the rule.
 *
 * `connectionPool` and `outlierDetection` are opaque in `api/`, so they are read here, and a
 * bad field is a problem naming its path (the rest of the policy still applies).
 *
 * @module
 */
import { type DestinationRule, parseDuration, toProtoDuration } from "../../../api/mod.ts";
import type { GenerateProblem } from "../snapshot.ts";
import { objectRef } from "../snapshot.ts";

type Json = Readonly<Record<string, unknown>>;

/** One policy field and the path it was read from. */
interface Located {
  readonly value: unknown;
  readonly path: string;
}

/** Where each policy field of one cluster comes from. */
export interface EffectivePolicy {
  readonly loadBalancer?: Located;
  readonly connectionPool?: Located;
  readonly outlierDetection?: Located;
}

const FIELDS = ["loadBalancer", "connectionPool", "outlierDetection"] as const;
/** Istio's circuit breaker default: no limit. */
const UNLIMITED = 4294967295;
/** Istio's default connect timeout. */
const CONNECT_TIMEOUT_MS = 10_000;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `obj` without its undefined fields (proto3 JSON has no undefined). */
function defined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function portLevel(policy: Json | undefined, port: number, base: string): Located | undefined {
  const settings = policy?.portLevelSettings;
  if (!Array.isArray(settings)) return undefined;
  const i = settings.findIndex((s) => isObject(s) && isObject(s.port) && s.port.number === port);
  return i < 0 ? undefined : { value: settings[i], path: `${base}.portLevelSettings[${i}]` };
}

/** The policy fields of cluster `subset` (empty for none) on `port` of `rule`'s host. */
export function effectivePolicy(
  rule: DestinationRule | undefined,
  subset: string,
  port: number,
): EffectivePolicy {
  if (!rule) return {};
  const layers: Located[] = [];
  const si = subset ? (rule.spec.subsets ?? []).findIndex((s) => s.name === subset) : -1;
  if (si >= 0) {
    const base = `spec.subsets[${si}].trafficPolicy`;
    const policy = rule.spec.subsets?.[si].trafficPolicy as Json | undefined;
    const level = portLevel(policy, port, base);
    if (level) layers.push(level);
    if (policy) layers.push({ value: policy, path: base });
  }
  const top = rule.spec.trafficPolicy as Json | undefined;
  const level = portLevel(top, port, "spec.trafficPolicy");
  if (level) layers.push(level);
  if (top) layers.push({ value: top, path: "spec.trafficPolicy" });
  const out: Record<string, Located> = {};
  for (const field of FIELDS) {
    const layer = layers.find((l) => isObject(l.value) && l.value[field] !== undefined);
    if (layer) out[field] = { value: (layer.value as Json)[field], path: `${layer.path}.${field}` };
  }
  return out;
}

/** Reads typed values out of an opaque object, collecting problems with their paths. */
class Reader {
  readonly problems: GenerateProblem[] = [];
  constructor(readonly ref: string) {}

  #problem(field: string, message: string): undefined {
    this.problems.push({ object: this.ref, field, message });
    return undefined;
  }

  /** `obj[key]` as a whole number in `[min, max]`. */
  int(obj: Json, key: string, path: string, min = 0, max = UNLIMITED): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
    return this.#problem(
      `${path}.${key}`,
      `Set "${key}" to a whole number from ${min} to ${max}: got ${JSON.stringify(v)}`,
    );
  }

  /** `obj[key]` as a duration in milliseconds (strictly positive when `positive`). */
  millis(obj: Json, key: string, path: string, positive = true): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    const ms = typeof v === "string" ? parseDuration(v) : undefined;
    if (ms !== undefined && (!positive || ms > 0)) return ms;
    return this.#problem(
      `${path}.${key}`,
      `Set "${key}" to a duration greater than zero such as "100ms" or "5s": got ${
        JSON.stringify(v)
      }`,
    );
  }

  /** `obj[key]` as an object, or a problem. */
  record(obj: Json, key: string, path: string): Json | undefined {
    const v = obj[key];
    if (v === undefined || isObject(v)) return v;
    return this.#problem(`${path}.${key}`, `Set "${key}" to an object: got ${JSON.stringify(v)}`);
  }

  /** Reports a problem at `field`. */
  report(field: string, message: string): void {
    this.#problem(field, message);
  }
}

const SIMPLE: Readonly<Record<string, string>> = {
  UNSPECIFIED: "LEAST_REQUEST",
  LEAST_REQUEST: "LEAST_REQUEST",
  LEAST_CONN: "LEAST_REQUEST",
  ROUND_ROBIN: "ROUND_ROBIN",
  RANDOM: "RANDOM",
};

function loadBalancing(r: Reader, at: Located | undefined): Record<string, unknown> {
  const lb = at?.value;
  if (!at || !isObject(lb)) return { lbPolicy: "LEAST_REQUEST" };
  const hash = r.record(lb, "consistentHash", at.path);
  if (hash) {
    const path = `${at.path}.consistentHash`;
    if (hash.httpHeaderName === undefined) {
      r.report(
        path,
        "Set consistentHash.httpHeaderName to a metadata key: MetaProtocol routes hash only by " +
          "metadata, so without it every request hashes differently",
      );
    }
    const size = r.int(hash, "minimumRingSize", path, 1, 8_388_608);
    return {
      lbPolicy: "RING_HASH",
      ...(size !== undefined ? { ringHashLbConfig: { minimumRingSize: String(size) } } : {}),
    };
  }
  const simple = lb.simple ?? "UNSPECIFIED";
  const policy = typeof simple === "string" ? SIMPLE[simple] : undefined;
  if (policy) return { lbPolicy: policy };
  r.report(
    `${at.path}.simple`,
    `Set loadBalancer.simple to one of ${Object.keys(SIMPLE).join(", ")}: got ${
      JSON.stringify(simple)
    } (our proxy cannot pass connections through)`,
  );
  return { lbPolicy: "LEAST_REQUEST" };
}

function connectionPool(r: Reader, at: Located | undefined): Record<string, unknown> {
  const pool = isObject(at?.value) ? at.value : {};
  const path = at?.path ?? "";
  const tcp = r.record(pool, "tcp", path) ?? {};
  const http = r.record(pool, "http", path) ?? {};
  const tp = `${path}.tcp`, hp = `${path}.http`;
  const threshold = {
    maxConnections: r.int(tcp, "maxConnections", tp) ?? UNLIMITED,
    maxPendingRequests: r.int(http, "http1MaxPendingRequests", hp) ?? UNLIMITED,
    maxRequests: r.int(http, "http2MaxRequests", hp) ?? UNLIMITED,
    maxRetries: r.int(http, "maxRetries", hp) ?? UNLIMITED,
    trackRemaining: true,
  };
  const connect = r.millis(tcp, "connectTimeout", tp) ?? CONNECT_TIMEOUT_MS;
  const keep = r.record(tcp, "tcpKeepalive", tp);
  const kp = `${tp}.tcpKeepalive`;
  const seconds = (key: string) => {
    const ms = keep ? r.millis(keep, key, kp) : undefined;
    return ms === undefined ? undefined : Math.max(1, Math.round(ms / 1000));
  };
  const keepalive = keep
    ? defined({
      keepaliveProbes: r.int(keep, "probes", kp),
      keepaliveTime: seconds("time"),
      keepaliveInterval: seconds("interval"),
    })
    : undefined;
  return {
    connectTimeout: toProtoDuration(connect),
    circuitBreakers: { thresholds: [threshold] },
    ...(keepalive ? { upstreamConnectionOptions: { tcpKeepalive: keepalive } } : {}),
  };
}

function outlierDetection(r: Reader, at: Located | undefined): Record<string, unknown> {
  if (!at) return {};
  if (!isObject(at.value)) {
    r.report(at.path, `Set outlierDetection to an object: got ${JSON.stringify(at.value)}`);
    return {};
  }
  const o = at.value, p = at.path;
  const errors = r.int(o, "consecutive5xxErrors", p) ?? r.int(o, "consecutiveErrors", p);
  const gateway = r.int(o, "consecutiveGatewayErrors", p);
  const local = r.int(o, "consecutiveLocalOriginFailures", p);
  const split = o.splitExternalLocalOriginErrors;
  const interval = r.millis(o, "interval", p);
  const base = r.millis(o, "baseEjectionTime", p);
  const maxPercent = r.int(o, "maxEjectionPercent", p, 0, 100);
  const minHealth = r.int(o, "minHealthPercent", p, 0, 100);
  const enforce = (n: number | undefined) => (n ? 100 : 0);
  const detection = {
    ...(errors !== undefined ? { consecutive5xx: errors } : {}),
    enforcingConsecutive5xx: enforce(errors),
    ...(gateway !== undefined ? { consecutiveGatewayFailure: gateway } : {}),
    enforcingConsecutiveGatewayFailure: enforce(gateway),
    ...(local !== undefined ? { consecutiveLocalOriginFailure: local } : {}),
    ...(split === true ? { splitExternalLocalOriginErrors: true } : {}),
    ...(interval !== undefined ? { interval: toProtoDuration(interval) } : {}),
    ...(base !== undefined ? { baseEjectionTime: toProtoDuration(base) } : {}),
    ...(maxPercent !== undefined ? { maxEjectionPercent: maxPercent } : {}),
    enforcingSuccessRate: 0,
  };
  return {
    outlierDetection: detection,
    ...(minHealth !== undefined
      ? { commonLbConfig: { healthyPanicThreshold: { value: minHealth } } }
      : {}),
  };
}

/**
 * The Envoy cluster fields (proto3 JSON) of `policy`, and problems with `rule`'s fields.
 * Without a rule: least-request balancing, 10 s connect timeout, unlimited circuit breakers.
 */
export function buildClusterPolicy(
  rule: DestinationRule | undefined,
  policy: EffectivePolicy,
): { fields: Record<string, unknown>; problems: GenerateProblem[] } {
  const r = new Reader(rule ? objectRef(rule) : "");
  const fields = {
    ...loadBalancing(r, policy.loadBalancer),
    ...connectionPool(r, policy.connectionPool),
    ...outlierDetection(r, policy.outlierDetection),
  };
  return { fields, problems: r.problems };
}
