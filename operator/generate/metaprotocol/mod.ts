/**
 * MetaProtocol generation (control-plane spec §3.2, §5): the `MetaProtocolProxy` values of
 * sidecars and gateways, the inbound rate-limit filters, tracing and access log from the mesh
 * config, attribute matchers, and the route configurations served over RDS. Pure; imports only
 * `api/`, `proto/` and the generator contract beside it.
 *
 * @module
 */
export * from "./generator.ts";
export * from "./header_match.ts";
export * from "./observability.ts";
export * from "./proxy.ts";
export * from "./rate_limit.ts";
export * from "./routes.ts";
