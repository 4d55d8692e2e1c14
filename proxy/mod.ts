/**
 * The embedded MetaProtocol data plane: listeners that decode each connection's bytes with
 * a codec, route every message through the filter chain to an upstream cluster, and reply
 * (data-plane spec §0–§4). Started from a compiled runtime model (`config/model.ts`) with
 * {@link startProxy}. May import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export * from "./config/model.ts";
export { proxyScoped, ProxyStartError, startProxy, type StartProxyOptions } from "./proxy.ts";
export { MemoryStats } from "./stats.ts";
