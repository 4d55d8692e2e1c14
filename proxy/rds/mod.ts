/**
 * The xDS client of the MetaProtocol proxy: state-of-the-world route (and EDS endpoint)
 * subscriptions over gRPC (RDS/EDS or ADS), converting Envoy HTTP route configurations to
 * MetaProtocol route tables.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { ROUTE_TYPE_URL, startXds, type XdsClients, type XdsOptions } from "./client.ts";
export { ENDPOINTS_TYPE_URL } from "./eds_state.ts";
export { type ConvertResult, convertRouteConfiguration } from "./convert.ts";
