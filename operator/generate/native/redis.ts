/**
 * Redis through Envoy's `redis_proxy` (control-plane spec §3.7): per VIP, the outbound proxy
 * replaces `tcp_proxy` and the service's outbound cluster is replaced by one the proxy can
 * use; on the workloads, an inbound proxy replaces `tcp_proxy`. Unlike upstream, listeners and
 * clusters use the port being generated, not `ports[0]` (quirk Q3).
 *
 * @module
 */
import type { ProtocolGenerator } from "../context.ts";
import { inboundFilters, networkFilterPatch, outboundFilters } from "../envelope.ts";
import { redisClusterPatches } from "./redis_cluster.ts";
import {
  inboundRedisProxy,
  outboundRedisProxy,
  REDIS_FILTER,
  REDIS_TYPE_URL,
} from "./redis_proxy.ts";

/**
 * Redis: the outbound `RedisProxy` (RedisService routes, mirrors, faults, settings and
 * downstream AUTH) plus the REMOVE + ADD cluster patches (RedisDestination mode, AUTH and TCP
 * pool) per VIP, and the inbound `RedisProxy` on the workloads. When credentials cannot be
 * read, the outbound filter and its cluster patches are left out and a problem says why.
 */
export const redisGenerator: ProtocolGenerator = (ctx, port) => {
  const p = port.number;
  const proxy = outboundRedisProxy(ctx, port);
  const value = proxy.value;
  const cluster = value ? redisClusterPatches(ctx, p) : { patches: [], problems: [] };
  const outbound = value && cluster.patches.length > 0
    ? outboundFilters(ctx, p, (vip) => [
      networkFilterPatch({ direction: "outbound", vip, port: p }, "REPLACE", {
        name: REDIS_FILTER,
        typeUrl: REDIS_TYPE_URL,
        value: structuredClone(value),
      }),
      ...structuredClone(cluster.patches),
    ])
    : [];
  const inbound = inboundFilters(ctx, p, [
    networkFilterPatch({ direction: "inbound", port: p }, "REPLACE", {
      name: REDIS_FILTER,
      typeUrl: REDIS_TYPE_URL,
      value: inboundRedisProxy(p),
    }),
  ]);
  return { filters: [...outbound, ...inbound], problems: [...proxy.problems, ...cluster.problems] };
};
