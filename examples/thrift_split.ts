/**
 * A Thrift service with two versions; `sayHello` calls are split 20/80 between v1 and v2,
 * everything else goes to v1. The upstream demo `demo/metaprotocol-thrift`, as code.
 *
 * @module
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { MetaProtocolService, MetaRouterBuilder } from "../constructs/mod.ts";

/** Options of {@link thriftSampleMesh}. */
export interface ThriftSampleOptions {
  /** A fixed ClusterIP for the Service. @default assigned by Kubernetes */
  readonly clusterIP?: string;
}

/** The Thrift sample server (v1, v2) and its MetaRouter, added to `chart`. */
export function thriftSampleMesh(
  chart: Chart,
  options: ThriftSampleOptions = {},
): { server: MetaProtocolService; router: MetaRouterBuilder } {
  const server = new MetaProtocolService(chart, "thrift-sample-server", {
    protocol: "thrift",
    port: 9090,
    portNameSuffix: "hello-server",
    ...(options.clusterIP ? { clusterIP: options.clusterIP } : {}),
    versions: [
      { name: "v1", image: "aeraki/thrift-sample-server:1.0" },
      { name: "v2", image: "aeraki/thrift-sample-server:1.0" },
    ],
  });
  const router = new MetaRouterBuilder(chart, "router", {
    host: server.host,
    destinationRule: server.destinationRule,
    metadata: { name: "thrift-sample-server" },
  });
  router.route("traffic-split").whenExact("method", "sayHello").split({ v1: 20, v2: 80 });
  router.route("default").to("v1");
  return { server, router };
}

/** Builds the chart. */
export function thriftSplit(scope: Construct): Chart {
  const chart = new Chart(scope, "thrift-split", {
    namespace: "meta-thrift",
    disableResourceNameHashes: true,
  });
  thriftSampleMesh(chart);
  return chart;
}
