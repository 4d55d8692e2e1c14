/**
 * The Thrift 20/80 split for a GitOps mesh with no Aeraki operator: `StaticMeshFilters` runs
 * Aeraki's generator at synth time and emits the EnvoyFilters, with the MetaProtocol routes
 * inline instead of served over RDS. Changing a route then rewrites the outbound listener,
 * which drains its connections — fine for routes that rarely change. The Service needs a
 * fixed ClusterIP, because Istio names the outbound listener `<clusterIP>_<port>`.
 *
 * @module
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { MetaProtocolService, MetaRouterBuilder, StaticMeshFilters } from "../constructs/mod.ts";

/** Builds the chart. */
export function thriftStatic(scope: Construct): Chart {
  const chart = new Chart(scope, "thrift-static", {
    namespace: "meta-thrift",
    disableResourceNameHashes: true,
  });
  const server = new MetaProtocolService(chart, "thrift-sample-server", {
    protocol: "thrift",
    port: 9090,
    portNameSuffix: "hello-server",
    clusterIP: "10.96.10.20",
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
  // Created last: it reads the objects above when it is constructed.
  new StaticMeshFilters(chart, "envoy-filters", { inputs: [server, router] });
  return chart;
}
