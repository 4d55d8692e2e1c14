/**
 * `operator/xds/`: the xDS server (control-plane spec §5, issue 10). gRPC on port 15010 with
 * `envoy.service.discovery.v3.AggregatedDiscoveryService` and
 * `envoy.service.route.v3.RouteDiscoveryService`, State-of-the-World and Delta, answering
 * only from a snapshot cache of consistent snapshots whose versions are content hashes.
 * Subscriptions are per stream and by resource name; ACKs and NACKs are tracked per node;
 * pushes carry only what changed; errors never close a stream; TLS and mutual TLS optional.
 *
 * May import `api/`, `proto/`, `operator/generate/` and `@grpc/grpc-js`.
 *
 * @module
 */
export * from "./cache.ts";
export * from "./delta_session.ts";
export * from "./grpc_server.ts";
export * from "./service.ts";
export * from "./snapshot.ts";
export * from "./sotw_session.ts";
export * from "./status.ts";
