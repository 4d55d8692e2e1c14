/**
 * The MetaProtocol filter chain (`meta_protocol_filters`, spec §2.4, §3) → filter models.
 *
 * @module
 */
import type { FilterModel, TokenBucketModel } from "../config/model.ts";
import { bool, type CompileContext, list, msg, num, str, typeOf } from "./_context.ts";
import type { Plain } from "./_normalize.ts";
import { compileMatchers } from "./routes.ts";
import { encodeBase64, structBytes } from "../grpc/struct.ts";

const PKG = "aeraki.meta_protocol_proxy.filters";

/** Filter registry names and the config type each takes. */
const FILTERS: Readonly<Record<string, string>> = {
  "aeraki.meta_protocol.filters.router": `${PKG}.router.v1alpha.Router`,
  "aeraki.meta_protocol.filters.local_ratelimit": `${PKG}.local_ratelimit.v1alpha.LocalRateLimit`,
  "aeraki.meta_protocol.filters.ratelimit": `${PKG}.ratelimit.v1alpha.RateLimit`,
  "aeraki.meta_protocol.filters.metadata_exchange":
    `${PKG}.metadata_exchange.v1alpha.MetadataExchange`,
  "aeraki.meta_protocol.filters.istio_stats": `${PKG}.istio_stats.v1alpha.IstioStats`,
};

/** The local node as the filters see it (metadata_exchange). */
export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
  /** `node.metadata` as JSON (a `google.protobuf.Struct`). */
  readonly metadata: { readonly [key: string]: unknown };
}

const MIN_FILL_MS = 50;

function bucket(ctx: CompileContext, b: Plain): TokenBucketModel | undefined {
  const maxTokens = num(b, "max_tokens") ?? 0;
  const fillIntervalMs = num(b, "fill_interval") ?? 0;
  if (maxTokens < 1) {
    return ctx.problem(b, "max_tokens", "Cannot use a token bucket: max_tokens must be at least 1");
  }
  if (fillIntervalMs < MIN_FILL_MS) {
    return ctx.problem(
      b,
      "fill_interval",
      "Cannot use a token bucket: local rate limit token bucket fill timer must be >= 50ms",
    );
  }
  return { maxTokens, tokensPerFill: num(b, "tokens_per_fill") ?? 1, fillIntervalMs };
}

function localRateLimit(ctx: CompileContext, c: Plain): FilterModel | undefined {
  const statPrefix = str(c, "stat_prefix");
  if (statPrefix === "") {
    return ctx.problem(c, "stat_prefix", "Cannot use local_ratelimit: stat_prefix is empty");
  }
  const def = msg(c, "token_bucket");
  const tokenBucket = def ? bucket(ctx, def) : undefined;
  const conditions = list(c, "conditions").map((cond) => {
    const b = msg(cond, "token_bucket");
    if (!b) {
      return ctx.problem(cond, "token_bucket", "Cannot use a condition without a token_bucket");
    }
    const m = msg(cond, "match");
    if (!m) return ctx.problem(cond, "match", "Cannot use a condition without a match");
    const tb = bucket(ctx, b);
    return tb ? { match: compileMatchers(ctx, list(m, "metadata")), tokenBucket: tb } : undefined;
  });
  if ((def && !tokenBucket) || conditions.some((x) => x === undefined)) return undefined;
  return {
    kind: "local_ratelimit",
    statPrefix,
    ...(tokenBucket ? { tokenBucket } : {}),
    conditions: conditions as { match: []; tokenBucket: TokenBucketModel }[],
  };
}

function globalRateLimit(ctx: CompileContext, c: Plain): FilterModel | undefined {
  const domain = str(c, "domain");
  if (domain === "") return ctx.problem(c, "domain", "Cannot use ratelimit: domain is empty");
  const descriptors = list(c, "descriptors").map((d) => ({
    property: str(d, "property").toLowerCase(),
    descriptorKey: str(d, "descriptor_key"),
  }));
  if (descriptors.length === 0) {
    return ctx.problem(c, "descriptors", "Cannot use ratelimit: list at least one descriptor");
  }
  const grpc = msg(msg(c, "rate_limit_service"), "grpc_service");
  const cluster = str(msg(grpc, "envoy_grpc"), "cluster_name");
  if (cluster === "") {
    return ctx.problem(
      c,
      "rate_limit_service",
      "Cannot use ratelimit: set rate_limit_service.grpc_service.envoy_grpc.cluster_name",
    );
  }
  return {
    kind: "ratelimit",
    match: compileMatchers(ctx, list(msg(c, "match"), "metadata")),
    domain,
    descriptors,
    timeoutMs: num(c, "timeout") ?? 20,
    failureModeDeny: bool(c, "failure_mode_deny"),
    cluster,
  };
}

function one(ctx: CompileContext, f: Plain, node: NodeInfo): FilterModel | undefined {
  const name = str(f, "name");
  const configType = FILTERS[name];
  if (!configType) {
    const known = Object.keys(FILTERS).map((k) => `"${k}"`).join(", ");
    return ctx.problem(f, "name", `Cannot use filter "${name}": known filters are ${known}`);
  }
  const config = msg(f, "config") ?? {};
  if (msg(f, "config") && typeOf(config) !== configType) {
    return ctx.problem(
      f,
      "config",
      `Cannot configure "${name}" with ${typeOf(config)}: expected ${configType}`,
    );
  }
  switch (name) {
    case "aeraki.meta_protocol.filters.router":
      return { kind: "router" };
    case "aeraki.meta_protocol.filters.local_ratelimit":
      return localRateLimit(ctx, config);
    case "aeraki.meta_protocol.filters.ratelimit":
      return globalRateLimit(ctx, config);
    case "aeraki.meta_protocol.filters.metadata_exchange":
      return {
        kind: "metadata_exchange",
        peerMetadata: encodeBase64(structBytes(node.metadata)),
        peerMetadataId: node.id,
      };
    default:
      return { kind: "istio_stats", destinationService: str(config, "destination_service") };
  }
}

/**
 * Compiles `meta_protocol_filters`: empty means `[router]` (upstream's default); a chain
 * without a router gets one appended; nothing may follow the router.
 */
export function compileFilters(
  ctx: CompileContext,
  mpp: Plain,
  node: NodeInfo,
): FilterModel[] | undefined {
  const specs = list(mpp, "meta_protocol_filters");
  const out: FilterModel[] = [];
  let failed = false;
  specs.forEach((f, i) => {
    const model = one(ctx, f, node);
    if (!model) failed = true;
    else out.push(model);
    if (model?.kind === "router" && i < specs.length - 1) {
      ctx.problem(
        specs[i + 1],
        undefined,
        "Cannot place a filter after the router: move the router last",
      );
      failed = true;
    }
  });
  if (failed) return undefined;
  if (!out.some((f) => f.kind === "router")) out.push({ kind: "router" });
  return out;
}
