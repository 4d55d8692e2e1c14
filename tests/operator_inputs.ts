/**
 * The inputs the operator process tests apply: a Thrift service (ServiceEntry with a VIP, and
 * optionally an endpoint labelled `version: v1`) and a MetaRouter routing every call to it.
 *
 * @module
 */
import type { KubeObject } from "../operator/kube/mod.ts";

/** A Thrift ServiceEntry at `vip` in `ns` and its MetaRouter (to subset v1 when `endpoint`). */
export function thriftServiceInputs(
  ns: string,
  options: { readonly vip: string; readonly endpoint?: string },
): KubeObject[] {
  const host = `thrift-sample-server.${ns}.svc.cluster.local`;
  const destination = options.endpoint ? { host, subset: "v1" } : { host };
  return [{
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { namespace: ns, name: "thrift-sample-server" },
    spec: {
      hosts: [host],
      addresses: [options.vip],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-hello-server", protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      ...(options.endpoint
        ? { endpoints: [{ address: options.endpoint, labels: { version: "v1" } }] }
        : {}),
    },
  }, {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name: "thrift-route" },
    spec: { hosts: [host], routes: [{ name: "v1", route: [{ destination }] }] },
  }];
}
