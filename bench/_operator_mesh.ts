/**
 * The mesh of `bench/operator_latency.ts` as Kubernetes objects: N ServiceEntries with one
 * MetaProtocol port each (Thrift and Dubbo alternately) and a MetaRouter for every tenth
 * service, whose route match carries a tag so that an edit shows in the stored EnvoyFilter.
 *
 * @module
 */
import type { KubeObject } from "../operator/kube/mod.ts";

/** One MetaRouter per this many services. */
export const ROUTER_EVERY = 10;

function host(i: number, ns: string): string {
  return `svc${i}.${ns}.svc.cluster.local`;
}

/** ServiceEntry `svc<i>` with a Thrift (even `i`) or Dubbo (odd `i`) port. */
export function benchServiceEntry(i: number, ns: string): KubeObject {
  const protocol = i % 2 === 0 ? "thrift" : "dubbo";
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { namespace: ns, name: `svc${i}` },
    spec: {
      hosts: [host(i, ns)],
      addresses: [`240.241.${(i >> 8) & 255}.${i & 255}`],
      ports: [{ number: 9090, name: `tcp-metaprotocol-${protocol}-svc${i}`, protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      endpoints: [{ address: `10.2.${(i >> 8) & 255}.${i & 255}`, labels: { version: "v1" } }],
    },
  };
}

/** MetaRouter `svc<i>`: requests whose method is `tag` go to subset v1, the rest to v2. */
export function benchMetaRouter(i: number, ns: string, tag: string): KubeObject {
  const h = host(i, ns);
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name: `svc${i}` },
    spec: {
      hosts: [h],
      routes: [
        {
          name: "tagged",
          match: { attributes: { method: { exact: tag } } },
          route: [{ destination: { host: h, subset: "v1" } }],
        },
        { name: "rest", route: [{ destination: { host: h, subset: "v2" } }] },
      ],
    },
  };
}

/** The objects of a mesh of `services` services in namespace `ns`. */
export function benchMesh(services: number, ns: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let i = 0; i < services; i++) {
    objects.push(benchServiceEntry(i, ns));
    if (i % ROUTER_EVERY === 0) objects.push(benchMetaRouter(i, ns, "initial"));
  }
  return objects;
}
