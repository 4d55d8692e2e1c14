/**
 * `MetaRouterBuilder`: a fluent way to write a MetaRouter — route by attribute, split by
 * weight, mirror a percentage, mutate headers, rate-limit — that rejects impossible configs
 * at synth time with the route's name and field: every rule of the `api/` schema (weights
 * adding up to 100, a mirror percentage without a mirror, a regex that is not RE2, …), each
 * reported once in the schema's words, plus what only the builder knows (a subset the known
 * DestinationRule lacks, two routes of one name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Chart, Testing } from "cdk8s";
 * import { MetaRouterBuilder } from "./meta_router_builder.ts";
 * const chart = new Chart(Testing.app(), "mesh", { namespace: "meta-thrift" });
 * const router = new MetaRouterBuilder(chart, "router", {
 *   host: "thrift-sample-server.meta-thrift.svc.cluster.local",
 * });
 * router.route("traffic-split").whenExact("method", "sayHello").split({ v1: 20, v2: 80 });
 * const [metaRouter] = Testing.synth(chart);
 * assert.deepEqual(metaRouter.spec.routes[0].route.map((r: { weight: number }) => r.weight), [20, 80]);
 * ```
 *
 * @module
 */
import { type ApiObjectMetadata, Lazy } from "cdk8s";
import { Construct } from "constructs";
import {
  formatProblem,
  type GlobalRateLimit,
  type LocalRateLimit,
  type MetaRoute,
  type Problem,
  type StringMatch,
} from "../api/mod.ts";
import { MetaRouter } from "./aeraki.ts";
import type { DestinationRule } from "./istio.ts";

/** Props of {@link MetaRouterBuilder}. */
export interface MetaRouterBuilderProps {
  /** The FQDN of the MetaProtocol service to route. */
  readonly host: string;
  /** The DestinationRule of `host`; when given, every subset used must exist in it. @default no check */
  readonly destinationRule?: DestinationRule;
  /** The MetaRouter's metadata. @default a generated name */
  readonly metadata?: ApiObjectMetadata;
  /** Namespaces that receive the generated EnvoyFilters. @default the root namespace */
  readonly exportTo?: readonly string[];
  /** Istio gateways (`ns/name`) to bind for gateway mode. @default none */
  readonly gateways?: readonly string[];
}

/** Where a route sends requests: a subset of the router's host, or any host/subset/port. */
export type Target = string | {
  readonly host?: string;
  readonly subset?: string;
  readonly port?: number;
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type RouteSpec = Mutable<MetaRoute>;

/** Builds one route of a {@link MetaRouterBuilder}; every method returns `this`. */
export class MetaRouteBuilder {
  readonly #host: string;
  readonly #spec: RouteSpec;

  /** @internal Use {@link MetaRouterBuilder.route}. */
  constructor(host: string, name: string) {
    this.#host = host;
    // No destination yet: the schema's rule then says a route needs one.
    this.#spec = { name, route: [] } as unknown as RouteSpec;
  }

  /** The route's name. */
  get name(): string {
    return this.#spec.name ?? "";
  }

  /** Matches when attribute `key` equals `value`. */
  whenExact(key: string, value: string): this {
    return this.#when(key, { exact: value });
  }

  /** Matches when attribute `key` starts with `prefix`. */
  whenPrefix(key: string, prefix: string): this {
    return this.#when(key, { prefix });
  }

  /** Matches when attribute `key` fully matches the RE2 `regex`. */
  whenRegex(key: string, regex: string): this {
    return this.#when(key, { regex });
  }

  /** Matches when attribute `key` is present, whatever its value. */
  whenPresent(key: string): this {
    return this.#when(key, {});
  }

  /** Sends every matching request to one target. */
  to(target: Target): this {
    this.#spec.route = [{ destination: this.#destination(target) }];
    return this;
  }

  /** Splits matching requests between subsets (or targets) by weight; weights must sum to 100. */
  split(
    weights: Readonly<Record<string, number>> | ReadonlyArray<readonly [Target, number]>,
  ): this {
    const entries = Array.isArray(weights) ? weights : Object.entries(weights);
    this.#spec.route = entries.map(([target, weight]) => ({
      destination: this.#destination(target as Target),
      weight,
    }));
    return this;
  }

  /** Copies a share of matching requests to `target` (responses are discarded). @default 100 percent */
  mirror(target: Target, percent?: number): this {
    this.#spec.mirror = this.#destination(target);
    if (percent !== undefined) this.#spec.mirrorPercentage = { value: percent };
    return this;
  }

  /** Sets the mirrored share on its own; synth fails unless {@link mirror} is also called. */
  mirrorPercentage(percent: number): this {
    this.#spec.mirrorPercentage = { value: percent };
    return this;
  }

  /** Writes these key/value pairs into each request (Dubbo attachments, THeader headers, …). */
  mutateRequest(pairs: Readonly<Record<string, string>>): this {
    this.#spec.requestMutation = toKeyValues(pairs);
    return this;
  }

  /** Writes these key/value pairs into each response. */
  mutateResponse(pairs: Readonly<Record<string, string>>): this {
    this.#spec.responseMutation = toKeyValues(pairs);
    return this;
  }

  /** The route as a MetaRoute spec. */
  toSpec(): MetaRoute {
    return structuredClone(this.#spec) as MetaRoute;
  }

  #when(key: string, match: StringMatch): this {
    const attributes = { ...this.#spec.match?.attributes, [key]: match };
    this.#spec.match = { attributes };
    return this;
  }

  #destination(target: Target) {
    const t = typeof target === "string" ? { subset: target } : target;
    return {
      host: t.host ?? this.#host,
      ...(t.subset ? { subset: t.subset } : {}),
      ...(t.port ? { port: { number: t.port } } : {}),
    };
  }
}

function toKeyValues(pairs: Readonly<Record<string, string>>) {
  return Object.entries(pairs).map(([key, value]) => ({ key, value }));
}

/** A MetaRouter written fluently; synthesizes one `MetaRouter` object. */
export class MetaRouterBuilder extends Construct {
  /** The MetaRouter it synthesizes. */
  readonly metaRouter: MetaRouter;
  readonly #props: MetaRouterBuilderProps;
  readonly #routes: MetaRouteBuilder[] = [];
  #local?: LocalRateLimit;
  #global?: GlobalRateLimit;

  /** Creates the builder and its MetaRouter. */
  constructor(scope: Construct, id: string, props: MetaRouterBuilderProps) {
    super(scope, id);
    this.#props = props;
    this.metaRouter = new MetaRouter(this, "MetaRouter", {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => this.toSpec() }) as never,
      selfValidate: false,
    });
    this.node.addValidation({ validate: () => this.#problems() });
  }

  /** Adds a route (routes match in the order they are added; the first match wins). */
  route(name: string): MetaRouteBuilder {
    const route = new MetaRouteBuilder(this.#props.host, name);
    this.#routes.push(route);
    return route;
  }

  /** Limits requests per server instance with token buckets (first matching condition decides). */
  localRateLimit(limit: LocalRateLimit): this {
    this.#local = limit;
    return this;
  }

  /** Limits requests mesh-wide through a rate limit service. */
  globalRateLimit(limit: GlobalRateLimit): this {
    this.#global = limit;
    return this;
  }

  /** The MetaRouter spec as built so far. */
  toSpec(): Record<string, unknown> {
    const p = this.#props;
    return {
      hosts: [p.host],
      ...(p.gateways?.length ? { gateways: [...p.gateways] } : {}),
      ...(this.#routes.length ? { routes: this.#routes.map((r) => r.toSpec()) } : {}),
      ...(this.#local ? { localRateLimit: this.#local } : {}),
      ...(this.#global ? { globalRateLimit: this.#global } : {}),
      ...(p.exportTo?.length ? { exportTo: [...p.exportTo] } : {}),
    };
  }

  #problems(): string[] {
    const problems = this.metaRouter.schemaProblems().map((p) =>
      `Invalid MetaRouter: ${formatProblem(this.#named(p))}`
    );
    const first = new Map<string, number>();
    this.#routes.forEach((route, i) => {
      const at = `spec.routes[${i}] (route "${route.name}")`;
      const earlier = first.get(route.name);
      if (earlier !== undefined) {
        problems.push(
          `Invalid MetaRouter: ${at}.name: Rename the route: spec.routes[${earlier}] has the name "${route.name}" too`,
        );
      } else first.set(route.name, i);
      problems.push(...subsetProblems(at, route.toSpec(), this.#props.destinationRule));
    });
    return problems;
  }

  /** Adds the route's name to a problem's path: `spec.routes[1] (route "canary").route`. */
  #named(problem: Problem): Problem {
    const m = /^spec\.routes\[(\d+)\]/.exec(problem.path);
    const route = m ? this.#routes[Number(m[1])] : undefined;
    if (!m || !route) return problem;
    const rest = problem.path.slice(m[0].length);
    return { ...problem, path: `${m[0]} (route "${route.name}")${rest}` };
  }
}

/** Subsets of the DestinationRule's host that the rule lacks, at their fields. */
function subsetProblems(at: string, spec: MetaRoute, dr: DestinationRule | undefined): string[] {
  if (!dr) return [];
  const known = new Set(dr.subsetNames);
  const names = [...known].map((s) => `"${s}"`).join(", ") || "none";
  const fields = new Map(spec.route.map((d, j) => [`route[${j}].destination`, d.destination]));
  if (spec.mirror) fields.set("mirror", spec.mirror);
  const problems: string[] = [];
  for (const [field, d] of fields) {
    if (!d.subset || d.host !== dr.host || known.has(d.subset)) continue;
    problems.push(
      `Invalid MetaRouter: ${at}.${field}.subset: Use a subset of DestinationRule "${dr.name}" (${names}) or add "${d.subset}" to it: got "${d.subset}"`,
    );
  }
  return problems;
}
