/**
 * A Thrift service with two versions; `sayHello` calls are split 20/80 between v1 and v2,
 * everything else goes to v1. The upstream demo `demo/metaprotocol-thrift`, as code.
 *
 * @module
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { MetaProtocolService, MetaRouterBuilder } from "../constructs/mod.ts";

/** Builds the chart. */
export function thriftSplit(scope: Construct): Chart {
  const chart = new Chart(scope, "thrift-split", {
    namespace: "meta-thrift",
    disableResourceNameHashes: true,
  });
  const server = new MetaProtocolService(chart, "thrift-sample-server", {
    protocol: "thrift",
    port: 9090,
    portNameSuffix: "hello-server",
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
  return chart;
}
