/**
 * Generation for our own proxy (issue 10): from the same snapshot as the sidecar outputs,
 * Envoy v3 Listeners, Clusters and ClusterLoadAssignments (proto3 JSON) to serve over xDS,
 * beside the MetaProtocol route configurations. Pure; imports only `api/`, `proto/` and the
 * generators beside it.
 *
 * @module
 */
export * from "./endpoints.ts";
export * from "./proxy_generator.ts";
export * from "./resource_version.ts";
export * from "./service_resources.ts";
export * from "./traffic_policy.ts";
