/**
 * The RDS client of the MetaProtocol proxy: state-of-the-world route subscriptions over gRPC
 * (RDS or ADS), converting Envoy HTTP route configurations to MetaProtocol route tables.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { type RdsClients, type RdsOptions, ROUTE_TYPE_URL, startRds } from "./client.ts";
export { type ConvertResult, convertRouteConfiguration } from "./convert.ts";
