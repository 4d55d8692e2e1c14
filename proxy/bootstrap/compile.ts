/**
 * The canonical bootstrap tree → the core's runtime model (`../config/model.ts`) plus what
 * the edges need (node identity, RDS subscriptions, the ADS source), with cross-checks:
 * unique names, gRPC clusters that exist, ADS configured where a source asks for it.
 *
 * @module
 */
import { type CodecRegistry, defaultRegistry } from "../../codecs/mod.ts";
import type { ClusterModel, ListenerModel, ProxyModel } from "../config/model.ts";
import { CompileContext, list, msg, str } from "./_context.ts";
import type { Plain } from "./_normalize.ts";
import { compileCluster, socketAddress } from "./clusters.ts";
import type { NodeInfo } from "./filters.ts";
import {
  compileApiConfigSource,
  compileConfigSource,
  compileListener,
  type ConfigSourceModel,
  type GrpcSourceModel,
  type ListenerInputs,
} from "./listeners.ts";
import { compileBootstrapTracing, type ReadFile, type TracingModel } from "./observability.ts";

/** One RDS subscription: a route-config name from one source, for some listeners. */
export interface RdsSubscriptionModel {
  readonly routeConfigName: string;
  readonly source: ConfigSourceModel;
  readonly listeners: readonly string[];
}

/** One EDS subscription: a cluster's endpoints by service name from one source. */
export interface EdsSubscriptionModel {
  readonly cluster: string;
  /** `eds_cluster_config.service_name`, or the cluster name. */
  readonly serviceName: string;
  readonly source: ConfigSourceModel;
}

/** Everything a bootstrap compiles to. */
export interface CompiledBootstrap {
  readonly model: ProxyModel;
  readonly node: NodeInfo;
  readonly rds: readonly RdsSubscriptionModel[];
  /** EDS clusters' subscriptions. */
  readonly eds: readonly EdsSubscriptionModel[];
  /** `dynamic_resources.ads_config`, when set. */
  readonly ads?: GrpcSourceModel;
  /** `dynamic_resources.lds_config`: listeners come over xDS too. */
  readonly lds?: ConfigSourceModel;
  /** `dynamic_resources.cds_config`: clusters come over xDS too. */
  readonly cds?: ConfigSourceModel;
  /** What compiling a listener that arrives over LDS needs (node, codecs, tracing). */
  readonly listenerInputs?: ListenerInputs;
}

/** Options of {@linkcode compileBootstrap}. */
export interface CompileOptions {
  /** Codecs listeners may name. @default the built-in codecs */
  readonly codecs?: CodecRegistry;
  /** Reads `DataSource.filename` files. @default Deno.readTextFileSync */
  readonly readFile?: ReadFile;
}

function nodeInfo(b: Plain): NodeInfo {
  const n = msg(b, "node");
  return { id: str(n, "id"), cluster: str(n, "cluster"), metadata: msg(n, "metadata") ?? {} };
}

function unique<T extends { name: string }>(
  ctx: CompileContext,
  items: [Plain, T][],
  what: string,
): T[] {
  const seen = new Set<string>();
  return items.flatMap(([src, item]) => {
    if (!seen.has(item.name)) return (seen.add(item.name), [item]);
    ctx.problem(src, "name", `Cannot define ${what} "${item.name}" twice: names must be unique`);
    return [];
  });
}

function grpcClusters(l: ListenerModel): [string, string][] {
  const out: [string, string][] = [];
  if (l.route.kind === "rds" && (l.route.configSource as ConfigSourceModel)?.kind === "grpc") {
    out.push([(l.route.configSource as GrpcSourceModel).cluster, "RDS"]);
  }
  for (const f of l.filters) {
    if (f.kind === "ratelimit") out.push([f.cluster, "rate limit service"]);
  }
  const provider = (l.tracing as TracingModel | undefined)?.provider;
  if (provider) out.push([provider.collectorCluster, "Zipkin collector"]);
  return out;
}

function crossCheck(
  ctx: CompileContext,
  srcs: Map<string, Plain>,
  m: ProxyModel,
  ads?: GrpcSourceModel,
) {
  const clusters = new Set(m.clusters.map((c) => c.name));
  for (const l of m.listeners) {
    const src = srcs.get(l.name);
    for (const [cluster, what] of grpcClusters(l)) {
      if (!clusters.has(cluster)) {
        ctx.problem(
          src,
          undefined,
          `Cannot reach the ${what}: cluster "${cluster}" is not defined`,
        );
      }
    }
    if (
      l.route.kind === "rds" && (l.route.configSource as ConfigSourceModel).kind === "ads" && !ads
    ) {
      ctx.problem(
        src,
        undefined,
        "Cannot subscribe to RDS over ADS: set dynamic_resources.ads_config",
      );
    }
    const routes = l.route.kind === "inline" ? l.route.table.routes : [];
    for (const r of routes) {
      const t = r.action.target;
      const names = t.kind === "cluster" ? [t.name] : t.clusters.map((c) => c.name);
      for (const n of [...names, ...r.action.mirrors.map((x) => x.cluster)]) {
        if (!clusters.has(n)) {
          ctx.warn(
            src,
            undefined,
            `Route "${r.name}" names cluster "${n}", which is not defined: its requests get ClusterNotFound`,
          );
        }
      }
    }
  }
  if (ads && !clusters.has(ads.cluster)) {
    ctx.problem(
      undefined,
      "dynamic_resources",
      `Cannot reach ADS: cluster "${ads.cluster}" is not defined`,
    );
  }
}

/** The EDS subscription of one canonical cluster, if it is an EDS cluster. */
export function edsSubscription(
  ctx: CompileContext,
  c: Plain,
): EdsSubscriptionModel | undefined {
  const eds = msg(c, "eds_cluster_config");
  if (str(c, "type") !== "EDS" || !eds) return undefined;
  const cs = msg(eds, "eds_config");
  if (!cs) return ctx.problem(eds, "eds_config", "Cannot subscribe to EDS: set eds_config");
  const source = compileConfigSource(ctx, cs);
  const serviceName = str(eds, "service_name") || str(c, "name");
  return source ? { cluster: str(c, "name"), serviceName, source } : undefined;
}

function edsSubscriptions(ctx: CompileContext, clusters: readonly Plain[]): EdsSubscriptionModel[] {
  return clusters.flatMap((c) => edsSubscription(ctx, c) ?? []);
}

function dynamicSource(
  ctx: CompileContext,
  dr: Plain | undefined,
  field: "lds_config" | "cds_config",
  m: ProxyModel,
  ads?: GrpcSourceModel,
): ConfigSourceModel | undefined {
  const cs = msg(dr, field);
  if (!cs) return undefined;
  const source = compileConfigSource(ctx, cs);
  const what = field === "lds_config" ? "listeners" : "clusters";
  if (source?.kind === "ads" && !ads) {
    ctx.problem(
      cs,
      undefined,
      `Cannot subscribe to ${what} over ADS: set dynamic_resources.ads_config`,
    );
  }
  if (source?.kind === "grpc" && !m.clusters.some((c) => c.name === source.cluster)) {
    ctx.problem(
      cs,
      undefined,
      `Cannot reach the ${what} source: cluster "${source.cluster}" is not defined`,
    );
  }
  return source;
}

function checkSources(
  ctx: CompileContext,
  m: ProxyModel,
  eds: readonly EdsSubscriptionModel[],
  ads?: GrpcSourceModel,
) {
  const clusters = new Set(m.clusters.map((c) => c.name));
  for (const e of eds) {
    if (e.source.kind === "ads" && !ads) {
      ctx.problem(
        undefined,
        "static_resources",
        `Cannot subscribe cluster "${e.cluster}" to EDS over ADS: set dynamic_resources.ads_config`,
      );
    }
    if (e.source.kind === "grpc" && !clusters.has(e.source.cluster)) {
      ctx.problem(
        undefined,
        "static_resources",
        `Cannot reach EDS for cluster "${e.cluster}": cluster "${e.source.cluster}" is not defined`,
      );
    }
  }
}

function rdsSubscriptions(listeners: readonly ListenerModel[]): RdsSubscriptionModel[] {
  const byKey = new Map<string, RdsSubscriptionModel & { listeners: string[] }>();
  for (const l of listeners) {
    if (l.route.kind !== "rds") continue;
    const source = l.route.configSource as ConfigSourceModel;
    const key = JSON.stringify([l.route.name, source]);
    const sub = byKey.get(key) ?? { routeConfigName: l.route.name, source, listeners: [] };
    sub.listeners.push(l.name);
    byKey.set(key, sub);
  }
  return [...byKey.values()];
}

/**
 * Compiles a canonical bootstrap (from `_normalize.ts`); problems, ignored fields and
 * warnings are recorded in `ctx` with their JSON paths.
 */
export function compileBootstrap(
  ctx: CompileContext,
  b: Plain,
  options: CompileOptions = {},
): CompiledBootstrap {
  const node = nodeInfo(b);
  const sr = msg(b, "static_resources");
  const bootstrapTracing = compileBootstrapTracing(ctx, msg(b, "tracing"));
  const inputs = {
    node,
    codecs: options.codecs ?? defaultRegistry(),
    readFile: options.readFile ?? ((p: string) => Deno.readTextFileSync(p)),
    bootstrapTracing,
  };
  const srcs = new Map<string, Plain>();
  const listeners = unique<ListenerModel>(
    ctx,
    list(sr, "listeners").flatMap((l) => {
      const m = compileListener(ctx, l, inputs);
      if (m) srcs.set(m.name, l);
      return m ? [[l, m] as [Plain, ListenerModel]] : [];
    }),
    "listener",
  );
  const clusters = unique<ClusterModel>(
    ctx,
    list(sr, "clusters").flatMap((c) => {
      const m = compileCluster(ctx, c);
      return m ? [[c, m] as [Plain, ClusterModel]] : [];
    }),
    "cluster",
  );
  const dr = msg(b, "dynamic_resources");
  const adsConfig = msg(dr, "ads_config");
  const ads = adsConfig ? compileApiConfigSource(ctx, adsConfig) : undefined;
  const adminAddr = msg(msg(b, "admin"), "address");
  const admin = adminAddr ? socketAddress(ctx, adminAddr) : undefined;
  const model: ProxyModel = { listeners, clusters, ...(admin ? { admin } : {}) };
  crossCheck(ctx, srcs, model, ads);
  const eds = edsSubscriptions(ctx, list(sr, "clusters"));
  checkSources(ctx, model, eds, ads);
  const lds = dynamicSource(ctx, dr, "lds_config", model, ads);
  const cds = dynamicSource(ctx, dr, "cds_config", model, ads);
  const compiled: CompiledBootstrap = {
    model,
    node,
    rds: rdsSubscriptions(listeners),
    eds,
    ...(ads ? { ads } : {}),
    ...(lds ? { lds } : {}),
    ...(cds ? { cds } : {}),
  };
  // Not enumerable: it holds functions, and compiled bootstraps compare as data.
  Object.defineProperty(compiled, "listenerInputs", { value: inputs, enumerable: false });
  return compiled;
}
