/**
 * The objects of the controller fault tests: MetaProtocol Thrift services (ServiceEntries with
 * a VIP each), their MetaRouters (one also bound to a gateway), the gateway, and two foreign
 * objects (an EnvoyFilter and a VirtualService without the `manager: Aeraki` label) that the
 * controller must never touch.
 *
 * @module
 */
import { Effect } from "effect";
import { renderObjects } from "../operator/cli/render.ts";
import type { KubeClientShape, KubeKind, KubeObject } from "../operator/kube/mod.ts";

const ISTIO = "networking.istio.io/v1alpha3";

function host(ns: string, name: string): string {
  return `${name}.${ns}.svc.cluster.local`;
}

/** A Thrift service on port 9090 with VIP `240.240.0.<n>`. */
export function serviceEntry(ns: string, name: string, n: number): KubeObject {
  return {
    apiVersion: ISTIO,
    kind: "ServiceEntry",
    metadata: { namespace: ns, name },
    spec: {
      hosts: [host(ns, name)],
      addresses: [`240.240.0.${n}`],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-9090", protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      endpoints: [{ address: `10.1.0.${n}`, labels: { version: "v1" } }],
    },
  };
}

/** A MetaRouter splitting the service's traffic between subsets v1 and v2. */
export function metaRouter(
  ns: string,
  name: string,
  weights: [number, number],
  options: { readonly gateway?: boolean } = {},
): KubeObject {
  const h = host(ns, name);
  const to = (subset: string, weight: number) => ({
    destination: { host: h, subset, port: { number: 9090 } },
    weight,
  });
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name },
    spec: {
      ...(options.gateway ? { gateways: [`${ns}/gw`] } : {}),
      hosts: [h],
      routes: [{
        name: "split",
        match: { attributes: { method: { exact: "sayHello" } } },
        route: weights[0] === 0 ? [to("v2", 100)] : [to("v1", weights[0]), to("v2", weights[1])],
      }],
    },
  };
}

/** The ingress gateway `gw` with one MetaProtocol server on 9090. */
export function gateway(ns: string): KubeObject {
  return {
    apiVersion: ISTIO,
    kind: "Gateway",
    metadata: { namespace: ns, name: "gw" },
    spec: {
      selector: { istio: "ingressgateway" },
      servers: [{
        port: { number: 9090, name: "tcp-metaprotocol-thrift-9090", protocol: "TCP" },
        hosts: ["*"],
      }],
    },
  };
}

/** An EnvoyFilter and a VirtualService of someone else (no `manager: Aeraki` label). */
export function foreignObjects(ns: string): KubeObject[] {
  return [
    {
      apiVersion: ISTIO,
      kind: "EnvoyFilter",
      metadata: { namespace: ns, name: "someone-elses" },
      spec: { configPatches: [] },
    },
    {
      apiVersion: ISTIO,
      kind: "VirtualService",
      metadata: { namespace: ns, name: "someone-elses" },
      spec: {
        hosts: ["elsewhere.example.com"],
        tcp: [{ route: [{ destination: { host: "x" } }] }],
      },
    },
  ];
}

/** The inputs written straight to the API server, and what `aeraki render` prints for them. */
export class FaultWorkload {
  readonly #inputs = new Map<string, KubeObject>();
  #gatewayOnB = false;

  constructor(readonly direct: KubeClientShape, readonly namespace: string) {}

  /** Writes the foreign objects and the first services, MetaRouters and the gateway. */
  setUp(): Effect.Effect<void, unknown> {
    const ns = this.namespace;
    return Effect.gen({ self: this }, function* () {
      for (const o of foreignObjects(ns)) {
        yield* this.direct.apply(o, { fieldManager: "someone-else" });
        this.#inputs.set(key(o), o);
      }
      yield* this.put(serviceEntry(ns, "svc-a", 1));
      yield* this.put(metaRouter(ns, "svc-a", [20, 80], { gateway: true }));
      yield* this.put(serviceEntry(ns, "svc-b", 2));
      yield* this.put(metaRouter(ns, "svc-b", [50, 50]));
      yield* this.put(gateway(ns));
    });
  }

  /** Writes (server-side apply) one input. */
  put(o: KubeObject): Effect.Effect<void, unknown> {
    return Effect.map(this.direct.apply(o), () => void this.#inputs.set(key(o), o));
  }

  /** Deletes one input. */
  remove(o: KubeObject): Effect.Effect<void, unknown> {
    return Effect.map(
      this.direct.delete(kindOf(o), o.metadata),
      () => void this.#inputs.delete(key(o)),
    );
  }

  /** Round `n`: MetaRouters changed, the gateway moved, a service added, last round's removed. */
  round(n: number): Effect.Effect<void, unknown> {
    const ns = this.namespace;
    return Effect.gen({ self: this }, function* () {
      const weight = (n * 10) % 100;
      yield* this.put(metaRouter(ns, "svc-a", [weight, 100 - weight], { gateway: n % 2 === 0 }));
      this.#gatewayOnB = n % 2 === 1;
      yield* this.put(metaRouter(ns, "svc-b", [50, 50], { gateway: this.#gatewayOnB }));
      yield* this.put(serviceEntry(ns, `svc-r${n}`, 10 + n));
      yield* this.put(metaRouter(ns, `svc-r${n}`, [30, 70]));
      const last = [...this.#inputs.values()].filter((o) => o.metadata.name === `svc-r${n - 1}`);
      for (const o of last) yield* this.remove(o);
    });
  }

  /** Only service `svc-b`'s MetaRouter weights change (`n`% to v1). */
  nudge(n: number): Effect.Effect<void, unknown> {
    const gw = { gateway: this.#gatewayOnB };
    return this.put(metaRouter(this.namespace, "svc-b", [n, 100 - n], gw));
  }

  /** What `aeraki render` prints for the inputs: EnvoyFilters and VirtualServices, comparable. */
  expected(): Comparable[] {
    const out = renderObjects([...this.#inputs.values()], {
      rootNamespace: this.namespace,
      routes: "inline",
    }).output;
    return [...out.envoyFilters, ...out.virtualServices].map(comparable).sort(byRef);
  }
}

/** The fields the fault tests compare. */
export interface Comparable {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: object;
  readonly spec?: unknown;
}

/** An object's compared fields. */
export function comparable(o: {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: object };
  spec?: unknown;
}): Comparable {
  const { kind, metadata: { name, namespace, labels }, spec } = o;
  return { kind, name, namespace, labels, spec };
}

/** Orders by kind and name. */
export function byRef(a: Comparable, b: Comparable): number {
  const ka = `${a.kind}/${a.name}`, kb = `${b.kind}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The kind of one of the workload's objects. */
export function kindOf(o: KubeObject): KubeKind {
  const plurals: Record<string, string> = {
    ServiceEntry: "serviceentries",
    MetaRouter: "metarouters",
    Gateway: "gateways",
    EnvoyFilter: "envoyfilters",
    VirtualService: "virtualservices",
  };
  const [group, version] = o.apiVersion.split("/");
  return { group, version, kind: o.kind, plural: plurals[o.kind], namespaced: true };
}

function key(o: KubeObject): string {
  return `${o.kind}/${o.metadata.name}`;
}
