/**
 * Envoy `Listener`s holding the MetaProtocol network filter → listener models, and config
 * sources (RDS / ADS) → the settings the RDS client needs.
 *
 * @module
 */
import type { CodecRegistry } from "../../codecs/mod.ts";
import type { ListenerModel, RouteSourceModel } from "../config/model.ts";
import { bool, type CompileContext, list, msg, num, str, typeOf } from "./_context.ts";
import type { Plain } from "./_normalize.ts";
import { socketAddress } from "./clusters.ts";
import { compileFilters, type NodeInfo } from "./filters.ts";
import {
  compileAccessLogs,
  compileTracing,
  type ReadFile,
  type ZipkinModel,
} from "./observability.ts";
import { compileRouteTable } from "./routes.ts";

const MPP_TYPE = "aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";
const MPP_NAMES = new Set([
  "aeraki.meta_protocol_proxy",
  "envoy.filters.network.meta_protocol_proxy",
]);

/** A gRPC xDS / service endpoint: an `envoy_grpc` cluster. */
export interface GrpcSourceModel {
  readonly kind: "grpc";
  readonly cluster: string;
  /** `GrpcService.timeout` or `ApiConfigSource.request_timeout` in ms, when set. */
  readonly timeoutMs?: number;
  readonly authority?: string;
  readonly initialMetadata: readonly { readonly key: string; readonly value: string }[];
  /** Incremental xDS (`DELTA_GRPC`, `AGGREGATED_DELTA_GRPC`) instead of state of the world. */
  readonly delta?: boolean;
}

/** Where RDS comes from: its own gRPC stream, or the bootstrap's ADS stream. */
export type ConfigSourceModel = { readonly kind: "ads" } | GrpcSourceModel;

/** What the listener compiler shares across listeners. */
export interface ListenerInputs {
  readonly node: NodeInfo;
  readonly codecs: CodecRegistry;
  readonly readFile: ReadFile;
  readonly bootstrapTracing?: ZipkinModel;
}

/** Compiles `GrpcService` (envoy_grpc only). */
export function compileGrpcService(
  ctx: CompileContext,
  g: Plain,
  timeoutMs?: number,
): GrpcSourceModel | undefined {
  const eg = msg(g, "envoy_grpc");
  const cluster = str(eg, "cluster_name");
  if (cluster === "") {
    return ctx.problem(g, "envoy_grpc", "Cannot use the gRPC service: set envoy_grpc.cluster_name");
  }
  const initialMetadata = list(g, "initial_metadata").map((h) => ({
    key: str(h, "key"),
    value: str(h, "value"),
  }));
  const timeout = num(g, "timeout") ?? timeoutMs;
  return {
    kind: "grpc",
    cluster,
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    ...(str(eg, "authority") ? { authority: str(eg, "authority") } : {}),
    initialMetadata,
  };
}

const API_TYPES = new Set(["GRPC", "AGGREGATED_GRPC", "DELTA_GRPC", "AGGREGATED_DELTA_GRPC"]);

/** Compiles an `ApiConfigSource` (state of the world or delta gRPC, exactly one service). */
export function compileApiConfigSource(
  ctx: CompileContext,
  api: Plain,
): GrpcSourceModel | undefined {
  const type = str(api, "api_type") || "REST";
  if (!API_TYPES.has(type)) {
    return ctx.problem(
      api,
      "api_type",
      `Cannot use api_type "${type}": use GRPC (state of the world) or DELTA_GRPC`,
    );
  }
  const version = str(api, "transport_api_version") || "AUTO";
  if (version !== "V3" && version !== "AUTO") {
    return ctx.problem(
      api,
      "transport_api_version",
      `Cannot use transport_api_version "${version}": use V3`,
    );
  }
  const services = list(api, "grpc_services");
  if (services.length !== 1) {
    return ctx.problem(
      api,
      "grpc_services",
      `Cannot use ${services.length} grpc_services: give exactly one`,
    );
  }
  const service = compileGrpcService(ctx, services[0], num(api, "request_timeout"));
  return service && type.includes("DELTA") ? { ...service, delta: true } : service;
}

/** Compiles a `ConfigSource` (ads or api_config_source). */
export function compileConfigSource(ctx: CompileContext, cs: Plain): ConfigSourceModel | undefined {
  if (msg(cs, "ads")) return { kind: "ads" };
  const api = msg(cs, "api_config_source");
  if (!api) return ctx.problem(cs, undefined, "Cannot subscribe: set ads or api_config_source");
  return compileApiConfigSource(ctx, api);
}

function routeSource(ctx: CompileContext, mpp: Plain): RouteSourceModel | undefined {
  const rc = msg(mpp, "route_config");
  if (rc) return { kind: "inline", table: compileRouteTable(ctx, rc) };
  const rds = msg(mpp, "rds");
  if (!rds) return ctx.problem(mpp, undefined, "Cannot route: set route_config or rds");
  const name = str(rds, "route_config_name");
  if (name === "") {
    return ctx.problem(
      rds,
      "route_config_name",
      "Cannot subscribe to RDS: route_config_name is empty",
    );
  }
  const cs = msg(rds, "config_source");
  const configSource = cs
    ? compileConfigSource(ctx, cs)
    : ctx.problem(rds, "config_source", "Cannot subscribe to RDS: config_source is required");
  return configSource ? { kind: "rds", name, configSource } : undefined;
}

function protocolOf(ctx: CompileContext, mpp: Plain, codecs: CodecRegistry) {
  const p = msg(mpp, "protocol");
  const protocol = str(p, "name") || str(mpp, "application_protocol");
  const codec = str(msg(p, "codec"), "name") || str(msg(mpp, "codec"), "name");
  if (protocol === "") return ctx.problem(mpp, "protocol", "Cannot decode: set protocol.name");
  if (codec === "") return ctx.problem(mpp, "protocol", "Cannot decode: set protocol.codec.name");
  if (!codecs.get(codec)) {
    const known = codecs.list().map((c) => `"${c.name}"`).join(", ");
    return ctx.problem(
      p ?? mpp,
      "codec",
      `Cannot find codec "${codec}": known codecs are ${known}`,
    );
  }
  return { protocol, codec, multiplexing: bool(p, "multiplexing") };
}

function metaProtocolFilter(ctx: CompileContext, l: Plain): Plain | undefined {
  const chains = list(l, "filter_chains");
  if (chains.length !== 1) {
    return ctx.problem(
      l,
      "filter_chains",
      `Cannot use ${chains.length} filter chains: give exactly one`,
    );
  }
  const filters = list(chains[0], "filters");
  for (const f of filters) {
    const tc = msg(f, "typed_config");
    if (!tc && ctx.hasProblemUnder(f)) return undefined;
    if (typeOf(tc) !== MPP_TYPE || (!MPP_NAMES.has(str(f, "name")) && str(f, "name") !== "")) {
      return ctx.problem(
        f,
        undefined,
        `Cannot use network filter "${
          str(f, "name")
        }": only the MetaProtocol proxy (${MPP_TYPE}) is implemented`,
      );
    }
  }
  if (filters.length !== 1) {
    return ctx.problem(
      chains[0],
      "filters",
      "Cannot use the filter chain: give exactly one MetaProtocol proxy filter",
    );
  }
  return msg(filters[0], "typed_config");
}

const DIRECTIONS = { INBOUND: "inbound", OUTBOUND: "outbound" } as const;

/** Compiles one listener; `undefined` (with problems) when it cannot run. */
export function compileListener(
  ctx: CompileContext,
  l: Plain,
  inputs: ListenerInputs,
): ListenerModel | undefined {
  const name = str(l, "name");
  if (name === "") return ctx.problem(l, "name", "Cannot use a listener without a name");
  if (l.bind_to_port === false) {
    return ctx.problem(
      l,
      "bind_to_port",
      "Cannot use bind_to_port false: there are no internal listeners",
    );
  }
  const addr = socketAddress(ctx, msg(l, "address"));
  const mpp = metaProtocolFilter(ctx, l);
  if (!addr || !mpp) return undefined;
  const statPrefix = str(mpp, "stat_prefix");
  if (statPrefix === "") {
    ctx.problem(mpp, "stat_prefix", "Cannot use the MetaProtocol proxy: stat_prefix is empty");
  }
  const proto = protocolOf(ctx, mpp, inputs.codecs);
  const route = routeSource(ctx, mpp);
  const filters = compileFilters(ctx, mpp, inputs.node);
  const accessLogs = compileAccessLogs(ctx, list(mpp, "access_log"), inputs.readFile);
  const t = msg(mpp, "tracing");
  if (!proto || !route || !filters || statPrefix === "") return undefined;
  const idle = num(mpp, "idle_timeout");
  return {
    name,
    ...addr,
    ...proto,
    statPrefix,
    ...(idle ? { idleTimeoutMs: idle } : {}),
    route,
    filters,
    accessLogs,
    direction: DIRECTIONS[str(l, "traffic_direction") as keyof typeof DIRECTIONS] ?? "unspecified",
    ...(t
      ? {
        tracing: compileTracing(ctx, t, { provider: inputs.bootstrapTracing, node: inputs.node }),
      }
      : {}),
  };
}
