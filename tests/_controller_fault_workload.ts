/**
 * The objects of the controller fault tests: MetaProtocol Thrift services (ServiceEntries with
 * a VIP each), their MetaRouters (one also bound to a gateway), the gateway, and two foreign
 * objects (an EnvoyFilter and a VirtualService without the `manager: Aeraki` label) that the
 * controller must never touch.
 *
 * @module
 */
import type { KubeObject } from "../operator/kube/mod.ts";

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
