/**
 * From a snapshot to one {@link ServiceContext} per service: the related objects found once,
 * with the lookups upstream got wrong made right — FQDN-aware matching everywhere (Q12),
 * DestinationRules in the service's own namespace first, a deterministic order (namespace,
 * then name) wherever upstream took "the first" from an unordered store, and custom codecs
 * read from the snapshot so there is no startup race (Q18).
 *
 * @module
 */
import {
  BUILT_IN_CODECS,
  type DestinationRule,
  type DubboAuthorizationPolicy,
  type MetaRouter,
  type RedisDestination,
  type RedisService,
  type ServiceEntry,
  type VirtualService,
} from "../../api/mod.ts";
import type { ResolvedOptions, ServiceContext } from "./context.ts";
import { byNamespaceAndName, HostMap, type Named } from "./_host_map.ts";
import type { ListDiff } from "./_list_diff.ts";
import {
  type GenerateOptions,
  type GenerateProblem,
  type MeshSnapshot,
  objectRef,
  type SecretObject,
} from "./snapshot.ts";

/** Fills in the defaults of {@link GenerateOptions}. */
export function resolveOptions(options: GenerateOptions = {}): ResolvedOptions {
  return {
    rootNamespace: options.rootNamespace ?? "istio-system",
    namespaceScope: options.namespaceScope ?? false,
    domain: options.domain ?? "cluster.local",
    routes: options.routes ?? "rds",
  };
}

export { byNamespaceAndName } from "./_host_map.ts";

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sortBuckets<K, V extends Named>(map: Map<K, V[]>): Map<K, V[]> {
  for (const list of map.values()) if (list.length > 1) list.sort(byNamespaceAndName);
  return map;
}

function groupByNamespace<T extends Named>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) push(map, item.metadata.namespace ?? "", item);
  return sortBuckets(map);
}

function sameOptions(a: ResolvedOptions, b: ResolvedOptions): boolean {
  return a.rootNamespace === b.rootNamespace && a.namespaceScope === b.namespaceScope &&
    a.domain === b.domain && a.routes === b.routes;
}

/** The maps of one index, each built from one snapshot list (see {@link ServiceIndex}). */
interface Maps {
  rules: HostMap<DestinationRule>;
  virtualServices: HostMap<VirtualService>;
  routers: HostMap<MetaRouter>;
  services: Map<string, ServiceEntry>;
  sortedServices: ServiceEntry[];
  secrets: Map<string, SecretObject>;
  codecs: Map<string, string>;
  policies: Map<string, DubboAuthorizationPolicy[]>;
  redisServices: Map<string, RedisService[]>;
  redisDestinations: Map<string, RedisDestination[]>;
}

function firstByHost(sorted: readonly ServiceEntry[]): Map<string, ServiceEntry> {
  const map = new Map<string, ServiceEntry>();
  for (const se of sorted) {
    const host = se.spec.hosts[0];
    if (host !== undefined && !map.has(host)) map.set(host, se);
  }
  return map;
}

function codecs(protocols: MeshSnapshot["applicationProtocols"]): Map<string, string> {
  const map = new Map<string, string>(Object.entries(BUILT_IN_CODECS));
  for (const ap of [...protocols].sort(byNamespaceAndName)) {
    map.set(ap.spec.protocol.toLowerCase(), ap.spec.codec);
  }
  return map;
}

const ruleHosts = (dr: DestinationRule) => [dr.spec.host];
const vsHosts = (vs: VirtualService) => vs.spec.hosts ?? [];
const routerHosts = (r: MetaRouter) => r.spec.hosts;

/** Builds the maps of `s`, reusing those of `prev` whose source list is the same array. */
function buildMaps(s: MeshSnapshot, domain: string, prev?: { s: MeshSnapshot; m: Maps }): Maps {
  const p = prev?.s, m = prev?.m;
  const services = m && p?.serviceEntries === s.serviceEntries
    ? { sorted: m.sortedServices, first: m.services }
    : (() => {
      const sorted = [...s.serviceEntries].sort(byNamespaceAndName);
      return { sorted, first: firstByHost(sorted) };
    })();
  return {
    rules: p && m
      ? m.rules.update(p.destinationRules, s.destinationRules, ruleHosts, domain)
      : HostMap.build(s.destinationRules, ruleHosts, domain),
    virtualServices: p && m
      ? m.virtualServices.update(p.virtualServices, s.virtualServices, vsHosts, domain)
      : HostMap.build(s.virtualServices, vsHosts, domain),
    routers: p && m
      ? m.routers.update(p.metaRouters, s.metaRouters, routerHosts, domain)
      : HostMap.build(s.metaRouters, routerHosts, domain),
    services: services.first,
    sortedServices: services.sorted,
    secrets: m && p?.secrets === s.secrets ? m.secrets : new Map(
      s.secrets.map((x) => [`${x.metadata.namespace ?? ""}/${x.metadata.name}`, x]),
    ),
    codecs: m && p?.applicationProtocols === s.applicationProtocols
      ? m.codecs
      : codecs(s.applicationProtocols),
    policies: m && p?.dubboAuthorizationPolicies === s.dubboAuthorizationPolicies
      ? m.policies
      : groupByNamespace(s.dubboAuthorizationPolicies),
    redisServices: m && p?.redisServices === s.redisServices
      ? m.redisServices
      : groupByNamespace(s.redisServices),
    redisDestinations: m && p?.redisDestinations === s.redisDestinations
      ? m.redisDestinations
      : groupByNamespace(s.redisDestinations),
  };
}

/**
 * The lookups of a snapshot, built once and shared by every service's context. Building is
 * linear in the snapshot; given the index of the previous snapshot, every map whose source
 * list is the same array is reused, so an index after one change costs only that list.
 */
export class ServiceIndex {
  readonly options: ResolvedOptions;
  readonly snapshot: MeshSnapshot;
  readonly #maps: Maps;

  /** Indexes `snapshot`, reusing what it can of `previous` (same options only). */
  constructor(snapshot: MeshSnapshot, options: GenerateOptions = {}, previous?: ServiceIndex) {
    this.snapshot = snapshot;
    this.options = resolveOptions(options);
    const reuse = previous && sameOptions(previous.options, this.options)
      ? { s: previous.snapshot, m: previous.#maps }
      : undefined;
    this.#maps = buildMaps(snapshot, this.options.domain, reuse);
  }

  /**
   * The hosts whose objects of `kind` differ from the previous index's, or `undefined` when
   * unknown (the map was rebuilt). Only meaningful when the list of `kind` changed.
   */
  changedHosts(
    kind: "destinationRules" | "virtualServices" | "metaRouters",
  ): ReadonlySet<string> | undefined {
    const map = kind === "destinationRules"
      ? this.#maps.rules
      : kind === "virtualServices"
      ? this.#maps.virtualServices
      : this.#maps.routers;
    return map.changedHosts;
  }

  /**
   * The MetaRouters removed from and added to the list since the previous index, or
   * `undefined` when unknown (the map was rebuilt). Only meaningful when the list changed.
   */
  changedMetaRouters(): ListDiff<MetaRouter> | undefined {
    return this.#maps.routers.changed;
  }

  /** Every ServiceEntry, sorted by namespace/name. */
  sortedServiceEntries(): readonly ServiceEntry[] {
    return this.#maps.sortedServices;
  }

  /** The DubboAuthorizationPolicies of a namespace, by name. */
  dubboPoliciesIn(namespace: string): readonly DubboAuthorizationPolicy[] {
    return this.#maps.policies.get(namespace) ?? [];
  }

  /** The RedisServices of a namespace, by name. */
  redisServicesIn(namespace: string): readonly RedisService[] {
    return this.#maps.redisServices.get(namespace) ?? [];
  }

  /** The RedisDestinations of a namespace, by name. */
  redisDestinationsIn(namespace: string): readonly RedisDestination[] {
    return this.#maps.redisDestinations.get(namespace) ?? [];
  }

  /** The codec registered for an application protocol (case-insensitive). */
  codecFor(applicationProtocol: string): string | undefined {
    return this.#maps.codecs.get(applicationProtocol.toLowerCase());
  }

  /** The application protocols that have a codec (lower case). */
  knownProtocols(): string[] {
    return [...this.#maps.codecs.keys()];
  }

  /** A Secret by namespace and name. */
  secret(namespace: string, name: string): SecretObject | undefined {
    return this.#maps.secrets.get(`${namespace}/${name}`);
  }

  /** The service whose `hosts[0]` is `host` (first by namespace/name). */
  service(host: string): ServiceEntry | undefined {
    return this.#maps.services.get(host);
  }

  /** The MetaRouters whose hosts include `host`, by namespace/name. */
  metaRoutersFor(host: string): readonly MetaRouter[] {
    return this.#maps.routers.get(host);
  }

  /** The DestinationRule of `host`: one in `namespace` first, else the first by namespace/name. */
  destinationRuleFor(host: string, namespace: string): DestinationRule | undefined {
    const rules = this.#maps.rules.get(host);
    return rules.find((r) => r.metadata.namespace === namespace) ?? rules[0];
  }

  /** The VirtualService of `host`: one in `namespace` first, else the first by namespace/name. */
  virtualServiceFor(host: string, namespace: string): VirtualService | undefined {
    const list = this.#maps.virtualServices.get(host);
    return list.find((v) => v.metadata.namespace === namespace) ?? list[0];
  }

  /**
   * The context of one ServiceEntry, or a problem when it cannot be a service (no hosts —
   * upstream stopped generating for the whole mesh there, quirk Q2; we skip just this one).
   */
  context(se: ServiceEntry): { context?: ServiceContext; problems: GenerateProblem[] } {
    const host = se.spec.hosts[0];
    if (!host) {
      return {
        problems: [{
          object: objectRef(se),
          field: "spec.hosts",
          message: "Add a host: a ServiceEntry without hosts cannot be routed",
        }],
      };
    }
    const namespace = se.metadata.namespace ?? "";
    const selector = inboundSelector(se);
    const ctx: ServiceContext = {
      serviceEntry: se,
      host,
      namespace,
      vips: se.spec.addresses ?? [],
      ...(selector.labels ? { inboundSelector: selector.labels } : {}),
      destinationRule: this.destinationRuleFor(host, namespace),
      virtualService: this.virtualServiceFor(host, namespace),
      metaRouters: this.metaRoutersFor(host),
      dubboPolicies: this.dubboPoliciesIn(namespace),
      redisServices: this.redisServicesIn(namespace),
      redisDestinations: this.redisDestinationsIn(namespace),
      ...(this.snapshot.meshConfig ? { meshConfig: this.snapshot.meshConfig } : {}),
      codecFor: (p) => this.codecFor(p),
      knownProtocols: this.knownProtocols(),
      secret: (ns, name) => this.secret(ns, name),
      service: (h) => this.service(h),
      options: this.options,
    };
    return { context: ctx, problems: selector.problems };
  }

  /** Contexts of every ServiceEntry (sorted by namespace/name) and the problems found. */
  contexts(): { contexts: ServiceContext[]; problems: GenerateProblem[] } {
    const contexts: ServiceContext[] = [];
    const problems: GenerateProblem[] = [];
    for (const se of this.#maps.sortedServices) {
      const result = this.context(se);
      if (result.context) contexts.push(result.context);
      problems.push(...result.problems);
    }
    return { contexts, problems };
  }
}

/**
 * The inbound workload selector of a service: `spec.workloadSelector.labels` when set, else
 * the `workloadSelector` annotation (`"name"` → `app=name`, `"key: value"` → `key=value`).
 */
export function inboundSelector(
  se: ServiceEntry,
): { labels?: Record<string, string>; problems: GenerateProblem[] } {
  const labels = se.spec.workloadSelector?.labels;
  if (labels && Object.keys(labels).length > 0) return { labels: { ...labels }, problems: [] };
  const annotation = se.metadata.annotations?.["workloadSelector"];
  if (annotation === undefined) return { problems: [] };
  const text = annotation.replaceAll(" ", "");
  const parts = text.split(":");
  if (parts.length === 1 && parts[0] !== "") return { labels: { app: parts[0] }, problems: [] };
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") {
    return { labels: { [parts[0]]: parts[1] }, problems: [] };
  }
  return {
    problems: [{
      object: objectRef(se),
      field: 'metadata.annotations["workloadSelector"]',
      message: `Fix the workloadSelector annotation ${
        JSON.stringify(annotation)
      }: write "app-name" or "label: value"`,
    }],
  };
}
