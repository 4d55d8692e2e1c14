/**
 * The xDS client of the MetaProtocol proxy: listener, cluster, route and endpoint
 * subscriptions (LDS, CDS, RDS, EDS) over gRPC — their own services or ADS, state of the
 * world or delta — with Envoy's warming, converting Envoy HTTP route configurations to
 * MetaProtocol route tables and listeners/clusters through the bootstrap loader.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { ROUTE_TYPE_URL, startXds, type XdsClients, type XdsOptions } from "./client.ts";
export { ENDPOINTS_TYPE_URL } from "./eds_state.ts";
export { type ConvertResult, convertRouteConfiguration } from "./convert.ts";
export { type XdsProxy } from "./dynamic.ts";
