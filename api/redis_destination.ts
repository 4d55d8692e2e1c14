/**
 * `RedisDestination` (`redis.aeraki.io/v1alpha1`, namespaced): how the proxy connects to a
 * Redis host (TCP pool, proxy or cluster mode, upstream auth).
 *
 * @module
 */
import { Schema } from "effect";
import { Duration } from "./duration.ts";
import { Fqdn, Uint32 } from "./names.ts";
import { ObjectMeta, Status } from "./object_meta.ts";
import { REDIS_API_VERSION, RedisAuth } from "./redis_service.ts";

/** Istio's `ConnectionPoolSettings.TCPSettings` (the fields Redis uses). */
export const TcpSettings = Schema.Struct({
  maxConnections: Schema.optionalKey(Uint32),
  connectTimeout: Schema.optionalKey(Duration),
  tcpKeepalive: Schema.optionalKey(Schema.Struct({
    probes: Schema.optionalKey(Uint32),
    time: Schema.optionalKey(Duration),
    interval: Schema.optionalKey(Duration),
  })),
});

/** Upstream Redis settings. */
export const RedisUpstreamSettings = Schema.Struct({
  mode: Schema.optionalKey(Schema.Literals(["PROXY", "CLUSTER"])),
  auth: Schema.optionalKey(RedisAuth),
  discoveryEndpoints: Schema.optionalKey(Schema.Array(Schema.String.check(
    Schema.makeFilter((e: string) =>
      /^[^:\s]+(:[0-9]{1,5})?$/.test(e) ||
      `Write the discovery endpoint as "host" or "host:port": got ${JSON.stringify(e)}`
    ),
  ))),
});

/** The spec of a RedisDestination. */
export const RedisDestinationSpec = Schema.Struct({
  host: Fqdn,
  trafficPolicy: Schema.optionalKey(Schema.Struct({
    connectionPool: Schema.optionalKey(Schema.Struct({
      tcp: Schema.optionalKey(TcpSettings),
      redis: Schema.optionalKey(RedisUpstreamSettings),
    })),
  })),
});
/** The spec of a RedisDestination. */
export type RedisDestinationSpec = typeof RedisDestinationSpec.Type;

/** A RedisDestination object. */
export const RedisDestination = Schema.Struct({
  apiVersion: Schema.Literal(REDIS_API_VERSION),
  kind: Schema.Literal("RedisDestination"),
  metadata: ObjectMeta,
  spec: RedisDestinationSpec,
  status: Status,
});
/** A RedisDestination object. */
export type RedisDestination = typeof RedisDestination.Type;
