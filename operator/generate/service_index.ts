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
  type MetaRouter,
  type ServiceEntry,
  type VirtualService,
} from "../../api/mod.ts";
import type { ResolvedOptions, ServiceContext } from "./context.ts";
import { fqdn } from "./names.ts";
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

type Named = { readonly metadata: { readonly name?: string; readonly namespace?: string } };

/** Orders objects by namespace, then name. */
export function byNamespaceAndName(a: Named, b: Named): number {
  const an = a.metadata.namespace ?? "", bn = b.metadata.namespace ?? "";
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.metadata.name ?? "", b2 = b.metadata.name ?? "";
  return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function groupByNamespace<T extends Named>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of [...items].sort(byNamespaceAndName)) {
    push(map, item.metadata.namespace ?? "", item);
  }
  return map;
}

/** The lookups of a snapshot, built once and shared by every service's context. */
export class ServiceIndex {
  readonly options: ResolvedOptions;
  readonly snapshot: MeshSnapshot;
  readonly #rules = new Map<string, DestinationRule[]>();
  readonly #virtualServices = new Map<string, VirtualService[]>();
  readonly #routers = new Map<string, MetaRouter[]>();
  readonly #services = new Map<string, ServiceEntry>();
  readonly #secrets = new Map<string, SecretObject>();
  readonly #codecs = new Map<string, string>(Object.entries(BUILT_IN_CODECS));
  readonly #policies;
  readonly #redisServices;
  readonly #redisDestinations;

  /** Indexes `snapshot`. */
  constructor(snapshot: MeshSnapshot, options: GenerateOptions = {}) {
    this.snapshot = snapshot;
    this.options = resolveOptions(options);
    const domain = this.options.domain;
    for (const dr of [...snapshot.destinationRules].sort(byNamespaceAndName)) {
      push(this.#rules, fqdn(dr.spec.host, dr.metadata.namespace ?? "", domain), dr);
    }
    for (const vs of [...snapshot.virtualServices].sort(byNamespaceAndName)) {
      const ns = vs.metadata.namespace ?? "";
      for (const h of new Set((vs.spec.hosts ?? []).map((h) => fqdn(h, ns, domain)))) {
        push(this.#virtualServices, h, vs);
      }
    }
    for (const mr of [...snapshot.metaRouters].sort(byNamespaceAndName)) {
      const ns = mr.metadata.namespace ?? "";
      for (const h of new Set(mr.spec.hosts.map((h) => fqdn(h, ns, domain)))) {
        push(this.#routers, h, mr);
      }
    }
    for (const se of [...snapshot.serviceEntries].sort(byNamespaceAndName)) {
      const host = se.spec.hosts[0];
      if (host !== undefined && !this.#services.has(host)) this.#services.set(host, se);
    }
    for (const s of snapshot.secrets) {
      this.#secrets.set(`${s.metadata.namespace ?? ""}/${s.metadata.name}`, s);
    }
    for (const ap of [...snapshot.applicationProtocols].sort(byNamespaceAndName)) {
      this.#codecs.set(ap.spec.protocol.toLowerCase(), ap.spec.codec);
    }
    this.#policies = groupByNamespace(snapshot.dubboAuthorizationPolicies);
    this.#redisServices = groupByNamespace(snapshot.redisServices);
    this.#redisDestinations = groupByNamespace(snapshot.redisDestinations);
  }

  /** The codec registered for an application protocol (case-insensitive). */
  codecFor(applicationProtocol: string): string | undefined {
    return this.#codecs.get(applicationProtocol.toLowerCase());
  }

  /** A Secret by namespace and name. */
  secret(namespace: string, name: string): SecretObject | undefined {
    return this.#secrets.get(`${namespace}/${name}`);
  }

  /** The service whose `hosts[0]` is `host` (first by namespace/name). */
  service(host: string): ServiceEntry | undefined {
    return this.#services.get(host);
  }

  /** The MetaRouters whose hosts include `host`, by namespace/name. */
  metaRoutersFor(host: string): readonly MetaRouter[] {
    return this.#routers.get(host) ?? [];
  }

  /** The DestinationRule of `host`: one in `namespace` first, else the first by namespace/name. */
  destinationRuleFor(host: string, namespace: string): DestinationRule | undefined {
    const rules = this.#rules.get(host) ?? [];
    return rules.find((r) => r.metadata.namespace === namespace) ?? rules[0];
  }

  /** The VirtualService of `host`: one in `namespace` first, else the first by namespace/name. */
  virtualServiceFor(host: string, namespace: string): VirtualService | undefined {
    const list = this.#virtualServices.get(host) ?? [];
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
      dubboPolicies: this.#policies.get(namespace) ?? [],
      redisServices: this.#redisServices.get(namespace) ?? [],
      redisDestinations: this.#redisDestinations.get(namespace) ?? [],
      ...(this.snapshot.meshConfig ? { meshConfig: this.snapshot.meshConfig } : {}),
      codecFor: (p) => this.codecFor(p),
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
    for (const se of [...this.snapshot.serviceEntries].sort(byNamespaceAndName)) {
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
