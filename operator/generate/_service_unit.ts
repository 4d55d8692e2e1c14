/**
 * One service as a unit of memoized generation: what it generates, and the identity of every
 * input it read, so the next generation can reuse the output after a few reference checks.
 *
 * @module
 */
import type {
  DestinationRule,
  DubboAuthorizationPolicy,
  MeshConfig,
  MetaRouter,
  RedisDestination,
  RedisService,
  ServiceEntry,
  VirtualService,
} from "../../api/mod.ts";
import type { FilterDraft, ProtocolGenerator, ServiceContext } from "./context.ts";
import { filterNamespaces, placeFilters } from "./export_to.ts";
import { generatorForPort } from "./protocols.ts";
import type { ServiceIndex } from "./service_index.ts";
import {
  type GeneratedObject,
  type GenerateProblem,
  type MeshSnapshot,
  objectRef,
  type RouteConfiguration,
} from "./snapshot.ts";

/** What one unit (a service or a gateway) contributes to the mesh output. */
export interface UnitOutput {
  readonly envoyFilters: readonly GeneratedObject[];
  readonly virtualServices: readonly GeneratedObject[];
  readonly routeConfigurations: readonly RouteConfiguration[];
  readonly problems: readonly GenerateProblem[];
}

/** A lookup a generator made through its context, with the answer it got. */
type Lookup =
  | { readonly kind: "codec"; readonly key: string; readonly result: unknown }
  | { readonly kind: "secret"; readonly key: string; readonly result: unknown }
  | { readonly kind: "service"; readonly key: string; readonly result: unknown };

/** The inputs a service's generation read, by identity. */
export interface ServiceDeps {
  readonly se: ServiceEntry;
  readonly dr?: DestinationRule;
  readonly vs?: VirtualService;
  readonly routers: readonly MetaRouter[];
  readonly policies: readonly DubboAuthorizationPolicy[];
  readonly redisServices: readonly RedisService[];
  readonly redisDestinations: readonly RedisDestination[];
  readonly mesh?: MeshConfig;
  readonly lookups: readonly Lookup[];
}

/** Which snapshot lists are not the same arrays as in the previous snapshot. */
export type Changed = { readonly [K in keyof MeshSnapshot]-?: boolean };

/** Compares two snapshots list by list (by identity). */
export function changedLists(prev: MeshSnapshot | undefined, next: MeshSnapshot): Changed {
  const out: Record<string, boolean> = {};
  for (const key of Object.keys(next) as (keyof MeshSnapshot)[]) {
    out[key] = prev === undefined || prev[key] !== next[key];
  }
  out.meshConfig = prev === undefined || prev.meshConfig !== next.meshConfig;
  return out as Changed;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The lookup key of the known protocols list (a problem message names them all). */
const KNOWN_PROTOCOLS = "\u0000known";

function lookupAgain(index: ServiceIndex, l: Lookup): unknown {
  if (l.kind === "codec" && l.key === KNOWN_PROTOCOLS) return index.knownProtocols().join(",");
  if (l.kind === "codec") return index.codecFor(l.key);
  if (l.kind === "service") return index.service(l.key);
  const at = l.key.indexOf("/");
  return index.secret(l.key.slice(0, at), l.key.slice(at + 1));
}

/** Which checks a generation must run, worked out once from what changed. */
export interface CheckPlan {
  readonly index: ServiceIndex;
  readonly mesh: boolean;
  /** Per host-keyed kind: `null` = unchanged, `undefined` = check every host, else those hosts. */
  readonly rules: ReadonlySet<string> | null | undefined;
  readonly virtualServices: ReadonlySet<string> | null | undefined;
  readonly routers: ReadonlySet<string> | null | undefined;
  readonly policies: boolean;
  readonly redisServices: boolean;
  readonly redisDestinations: boolean;
  readonly lookups: { readonly [K in Lookup["kind"]]: boolean };
  readonly anyLookup: boolean;
}

/** The checks of one generation over `index`, given which lists changed. */
export function checkPlan(index: ServiceIndex, changed: Changed): CheckPlan {
  const hosts = (kind: "destinationRules" | "virtualServices" | "metaRouters") =>
    changed[kind] ? index.changedHosts(kind) : null;
  const lookups = {
    codec: changed.applicationProtocols,
    secret: changed.secrets,
    service: changed.serviceEntries,
  };
  return {
    index,
    mesh: changed.meshConfig,
    rules: hosts("destinationRules"),
    virtualServices: hosts("virtualServices"),
    routers: hosts("metaRouters"),
    policies: changed.dubboAuthorizationPolicies,
    redisServices: changed.redisServices,
    redisDestinations: changed.redisDestinations,
    lookups,
    anyLookup: lookups.codec || lookups.secret || lookups.service,
  };
}

function touched(hosts: ReadonlySet<string> | null | undefined, host: string): boolean {
  return hosts !== null && (hosts === undefined || hosts.has(host));
}

function namespaceListsSame(deps: ServiceDeps, ns: string, plan: CheckPlan): boolean {
  const index = plan.index;
  return (!plan.policies || sameItems(index.dubboPoliciesIn(ns), deps.policies)) &&
    (!plan.redisServices || sameItems(index.redisServicesIn(ns), deps.redisServices)) &&
    (!plan.redisDestinations || sameItems(index.redisDestinationsIn(ns), deps.redisDestinations));
}

function lookupsSame(deps: ServiceDeps, plan: CheckPlan): boolean {
  for (const l of deps.lookups) {
    if (plan.lookups[l.kind] && lookupAgain(plan.index, l) !== l.result) return false;
  }
  return true;
}

/** Whether every input `deps` recorded is still the same object in the plan's index. */
export function depsUnchanged(deps: ServiceDeps, se: ServiceEntry, plan: CheckPlan): boolean {
  const index = plan.index;
  if (deps.se !== se) return false;
  if (plan.mesh && deps.mesh !== index.snapshot.meshConfig) return false;
  const host = se.spec.hosts[0];
  if (host === undefined) return true;
  const ns = se.metadata.namespace ?? "";
  if (touched(plan.rules, host) && index.destinationRuleFor(host, ns) !== deps.dr) return false;
  if (touched(plan.virtualServices, host) && index.virtualServiceFor(host, ns) !== deps.vs) {
    return false;
  }
  if (touched(plan.routers, host) && !sameItems(index.metaRoutersFor(host), deps.routers)) {
    return false;
  }
  return namespaceListsSame(deps, ns, plan) && (!plan.anyLookup || lookupsSame(deps, plan));
}

function recording(ctx: ServiceContext, lookups: Lookup[]): ServiceContext {
  const record = <T>(kind: Lookup["kind"], key: string, result: T): T => {
    if (!lookups.some((l) => l.kind === kind && l.key === key)) {
      lookups.push({ kind, key, result });
    }
    return result;
  };
  const known = ctx.knownProtocols;
  return {
    ...ctx,
    // Read only for an unknown protocol's message; recorded so that a new
    // ApplicationProtocol regenerates the message.
    get knownProtocols() {
      if (known) record("codec", KNOWN_PROTOCOLS, known.join(","));
      return known;
    },
    codecFor: (p) => record("codec", p, ctx.codecFor(p)),
    secret: (ns, name) => record("secret", `${ns}/${name}`, ctx.secret(ns, name)),
    service: (h) => record("service", h, ctx.service(h)),
  };
}

function runPorts(
  ctx: ServiceContext,
  generators: Readonly<Record<string, ProtocolGenerator>>,
): { drafts: FilterDraft[]; routes: RouteConfiguration[]; problems: GenerateProblem[] } {
  const drafts: FilterDraft[] = [], routes: RouteConfiguration[] = [];
  const problems: GenerateProblem[] = [];
  (ctx.serviceEntry.spec.ports ?? []).forEach((port, i) => {
    const generate = generatorForPort(port, generators);
    if (!generate) return;
    try {
      const out = generate(ctx, port, i);
      drafts.push(...out.filters);
      routes.push(...(out.routeConfigurations ?? []));
      problems.push(...out.problems);
    } catch (e) {
      problems.push({
        object: objectRef(ctx.serviceEntry),
        field: `spec.ports[${i}]`,
        message: `Report this bug: generating port "${port.name}" failed: ${
          e instanceof Error ? e.message : String(e)
        }`,
      });
    }
  });
  return { drafts, routes, problems };
}

/** Generates one service and records what it read. */
export function generateService(
  index: ServiceIndex,
  se: ServiceEntry,
  generators: Readonly<Record<string, ProtocolGenerator>>,
): { deps: ServiceDeps; output: UnitOutput } {
  const { context, problems } = index.context(se);
  const lookups: Lookup[] = [];
  if (!context) {
    const deps = { se, routers: [], policies: [], redisServices: [], redisDestinations: [] };
    const output = { envoyFilters: [], virtualServices: [], routeConfigurations: [], problems };
    return { deps: { ...deps, lookups }, output };
  }
  const ports = runPorts(recording(context, lookups), generators);
  const deps: ServiceDeps = {
    se,
    dr: context.destinationRule,
    vs: context.virtualService,
    routers: context.metaRouters,
    policies: context.dubboPolicies,
    redisServices: context.redisServices,
    redisDestinations: context.redisDestinations,
    mesh: context.meshConfig,
    lookups,
  };
  const envoyFilters = ports.drafts.length > 0
    ? placeFilters(ports.drafts, filterNamespaces(context))
    : [];
  return {
    deps,
    output: {
      envoyFilters,
      virtualServices: [],
      routeConfigurations: ports.routes,
      problems: [...problems, ...ports.problems],
    },
  };
}
