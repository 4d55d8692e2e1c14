/**
 * What generation reads and writes. A {@link MeshSnapshot} is an immutable view of every
 * input object; unchanged objects keep their identity from one snapshot to the next, which
 * is what makes per-service memoization cheap (see `generator.ts`).
 *
 * @module
 */
import type {
  ApplicationProtocol,
  DestinationRule,
  DubboAuthorizationPolicy,
  Gateway,
  MeshConfig,
  MetaRouter,
  RedisDestination,
  RedisService,
  ServiceEntry,
  VirtualService,
} from "../../api/mod.ts";

/** A Kubernetes Secret as generation reads it (Redis auth). */
export interface SecretObject {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  /** Base64 values, as the API returns them. */
  readonly data?: Readonly<Record<string, string>>;
  /** Plain values, as written in YAML. */
  readonly stringData?: Readonly<Record<string, string>>;
}

/** Every input of generation. Kubernetes Services arrive as synthetic ServiceEntries. */
export interface MeshSnapshot {
  readonly serviceEntries: readonly ServiceEntry[];
  readonly destinationRules: readonly DestinationRule[];
  readonly virtualServices: readonly VirtualService[];
  readonly gateways: readonly Gateway[];
  readonly metaRouters: readonly MetaRouter[];
  readonly applicationProtocols: readonly ApplicationProtocol[];
  readonly redisServices: readonly RedisService[];
  readonly redisDestinations: readonly RedisDestination[];
  readonly dubboAuthorizationPolicies: readonly DubboAuthorizationPolicy[];
  readonly secrets: readonly SecretObject[];
  /** Istio's mesh config (ConfigMap `istio`, key `mesh`); absent means Istio's defaults. */
  readonly meshConfig?: MeshConfig;
}

/** An empty snapshot, to spread into partial ones. */
export const EMPTY_SNAPSHOT: MeshSnapshot = {
  serviceEntries: [],
  destinationRules: [],
  virtualServices: [],
  gateways: [],
  metaRouters: [],
  applicationProtocols: [],
  redisServices: [],
  redisDestinations: [],
  dubboAuthorizationPolicies: [],
  secrets: [],
};

/** How generation is configured (upstream's flags). */
export interface GenerateOptions {
  /** Istio's root namespace: default home of EnvoyFilters; `*` in exportTo. @default "istio-system" */
  readonly rootNamespace?: string;
  /** Put EnvoyFilters in the service's namespace instead of the root namespace. @default false */
  readonly namespaceScope?: boolean;
  /** The mesh DNS domain for short host names. @default "cluster.local" */
  readonly domain?: string;
  /**
   * Where MetaProtocol outbound proxies get routes: `rds` from the operator's xDS server
   * (cluster `aeraki-xds`), or `inline` in the EnvoyFilter (static mode; a route change then
   * rewrites the listener and drains its connections). @default "rds"
   */
  readonly routes?: "rds" | "inline";
}

/** A generated Kubernetes object (EnvoyFilter or VirtualService). */
export interface GeneratedObject {
  readonly apiVersion: string;
  readonly kind: "EnvoyFilter" | "VirtualService";
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: Readonly<Record<string, unknown>>;
}

/** A MetaProtocol route configuration, as served over RDS (`envoy.config.route.v3.RouteConfiguration`, proto3 JSON). */
export interface RouteConfiguration {
  readonly name: string;
  readonly virtualHosts: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** Something generation had to skip, naming the input object and field. */
export interface GenerateProblem {
  /** The input object: `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  readonly object: string;
  /** The field path inside it, e.g. `spec.ports[1].name`; empty for the whole object. */
  readonly field: string;
  /** What is wrong, action first. */
  readonly message: string;
  /** Set on what is only a warning (a route that can never match): generation goes on. */
  readonly warning?: boolean;
}

/** What generation produces; every list sorted by namespace then name, problems by object. */
export interface MeshOutput {
  readonly envoyFilters: readonly GeneratedObject[];
  readonly virtualServices: readonly GeneratedObject[];
  readonly routeConfigurations: readonly RouteConfiguration[];
  readonly problems: readonly GenerateProblem[];
}

/** `Kind/namespace/name` of an input object, for problems. */
export function objectRef(obj: {
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}): string {
  const ns = obj.metadata.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata.name}`;
}
