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
import { StaticMeshFilters } from "../constructs/mod.ts";
import { thriftSampleMesh } from "./thrift_split.ts";

/** Builds the chart. */
export function thriftStatic(scope: Construct): Chart {
  const chart = new Chart(scope, "thrift-static", {
    namespace: "meta-thrift",
    disableResourceNameHashes: true,
  });
  const { server, router } = thriftSampleMesh(chart, { clusterIP: "10.96.10.20" });
  // Created last: it reads the objects above when it is constructed.
  new StaticMeshFilters(chart, "envoy-filters", { inputs: [server, router] });
  return chart;
}
