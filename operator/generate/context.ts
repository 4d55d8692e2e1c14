/**
 * The per-service view each protocol generator works from, and the contract of a protocol
 * generator. The orchestrator (`generator.ts`) finds the related objects once per service;
 * generators only read the context, so they are pure and memoizable per service.
 *
 * @module
 */
import type {
  DestinationRule,
  DubboAuthorizationPolicy,
  IstioPort,
  MeshConfig,
  MetaRouter,
  RedisDestination,
  RedisService,
  ServiceEntry,
  VirtualService,
} from "../../api/mod.ts";
import type { GenerateProblem, RouteConfiguration, SecretObject } from "./snapshot.ts";

/** Resolved generation options. */
export interface ResolvedOptions {
  readonly rootNamespace: string;
  readonly namespaceScope: boolean;
  readonly domain: string;
  readonly routes: "rds" | "inline";
}

/** One service (a ServiceEntry, real or synthetic) and everything related to it. */
export interface ServiceContext {
  readonly serviceEntry: ServiceEntry;
  /** `spec.hosts[0]`: the service's host. */
  readonly host: string;
  /** The ServiceEntry's namespace. */
  readonly namespace: string;
  /** `spec.addresses`: one outbound EnvoyFilter per VIP. */
  readonly vips: readonly string[];
  /** Inbound workload selector (spec, else the `workloadSelector` annotation); none → no inbound filters. */
  readonly inboundSelector?: Readonly<Record<string, string>>;
  /** The first DestinationRule for the host (FQDN-aware). */
  readonly destinationRule?: DestinationRule;
  /** The first VirtualService whose hosts include the host (Dubbo/Thrift native routes). */
  readonly virtualService?: VirtualService;
  /** The MetaRouters whose `hosts` include the host, sorted by namespace/name. */
  readonly metaRouters: readonly MetaRouter[];
  /** DubboAuthorizationPolicies in the service's namespace, sorted by name. */
  readonly dubboPolicies: readonly DubboAuthorizationPolicy[];
  /** RedisServices in the service's namespace, sorted by name. */
  readonly redisServices: readonly RedisService[];
  /** RedisDestinations in the service's namespace, sorted by name. */
  readonly redisDestinations: readonly RedisDestination[];
  /** Istio's mesh config, if any. */
  readonly meshConfig?: MeshConfig;
  /** The codec of an application protocol (from ApplicationProtocols and the built-ins). */
  readonly codecFor: (applicationProtocol: string) => string | undefined;
  /** The application protocols that have a codec, for messages. */
  readonly knownProtocols?: readonly string[];
  /** A Secret by namespace and name. */
  readonly secret: (namespace: string, name: string) => SecretObject | undefined;
  /** Another service by host (for Redis routes to other hosts). */
  readonly service: (host: string) => ServiceEntry | undefined;
  readonly options: ResolvedOptions;
}

/** An EnvoyFilter before the orchestrator gives it namespaces (root, service or exportTo). */
export interface FilterDraft {
  readonly name: string;
  readonly workloadSelector?: Readonly<Record<string, string>>;
  readonly configPatches: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** What a protocol generator returns for one port of one service. */
export interface ProtocolOutput {
  readonly filters: readonly FilterDraft[];
  readonly problems: readonly GenerateProblem[];
  /** Route configurations to serve over RDS (MetaProtocol only). */
  readonly routeConfigurations?: readonly RouteConfiguration[];
}

/**
 * A protocol generator: pure, deterministic, never throws on bad input (it reports problems
 * and generates what it can). `portIndex` is the port's index in `spec.ports`, for problems.
 */
export type ProtocolGenerator = (
  ctx: ServiceContext,
  port: IstioPort,
  portIndex: number,
) => ProtocolOutput;
