/**
 * `RedisDestination` (`redis.aeraki.io/v1alpha1`, namespaced): how the proxy connects to a
 * Redis host (TCP pool, proxy or cluster mode, upstream auth).
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
import { Duration } from "./duration.ts";
import { Fqdn, Uint32 } from "./names.ts";
import { ObjectMeta, Status } from "./object_meta.ts";
import { REDIS_API_VERSION, RedisAuth } from "./redis_service.ts";

/** Istio's `ConnectionPoolSettings.TCPSettings` (the fields Redis uses). */
export const TcpSettings = Schema.Struct({
  maxConnections: Schema.optionalKey(
    Uint32.check(doc("The most connections to each server of the service.")),
  ),
  connectTimeout: Schema.optionalKey(
    Duration.check(doc("How long to wait for a connection to be established.")),
  ),
  tcpKeepalive: Schema.optionalKey(
    Schema.Struct({
      probes: Schema.optionalKey(
        Uint32.check(doc("How many unanswered probes close the connection.")),
      ),
      time: Schema.optionalKey(
        Duration.check(doc("How long a connection is idle before probes start.")),
      ),
      interval: Schema.optionalKey(Duration.check(doc("The time between probes."))),
    }).check(doc("TCP keepalive probes on connections to the servers.")),
  ),
}).check(doc("TCP connection settings, as in an Istio DestinationRule."));

/** Upstream Redis settings. */
export const RedisUpstreamSettings = Schema.Struct({
  mode: Schema.optionalKey(
    Schema.Literals(["PROXY", "CLUSTER"]).check(
      doc(
        "PROXY treats the servers as independent ones, CLUSTER as a Redis Cluster whose " +
          "topology the proxy discovers.",
        { default: "PROXY" },
      ),
    ),
  ),
  auth: Schema.optionalKey(
    RedisAuth.check(doc("The credentials the proxy gives the servers (upstream AUTH).")),
  ),
  discoveryEndpoints: Schema.optionalKey(
    Schema.Array(Schema.String.check(
      Schema.makeFilter((e: string) =>
        /^[^:\s]+(:[0-9]{1,5})?$/.test(e) ||
        `Write the discovery endpoint as "host" or "host:port": got ${JSON.stringify(e)}`
      ),
    )).check(
      doc(
        'In CLUSTER mode, the "host" or "host:port" addresses asked for the cluster topology; ' +
          "the service's own endpoints when unset.",
      ),
    ),
  ),
}).check(doc("Redis settings of the connections to the servers."));

/** The spec of a RedisDestination. */
export const RedisDestinationSpec = Schema.Struct({
  host: Fqdn.check(doc("The fully qualified name of the Redis service these policies apply to.")),
  trafficPolicy: Schema.optionalKey(
    Schema.Struct({
      connectionPool: Schema.optionalKey(
        Schema.Struct({
          tcp: Schema.optionalKey(TcpSettings),
          redis: Schema.optionalKey(RedisUpstreamSettings),
        }).check(doc("Settings of the connections the proxy opens to the servers.")),
      ),
    }).check(doc("How the proxy connects to the servers of the service.")),
  ),
}).check(
  doc("Connection, cluster mode and authentication policies for traffic to a Redis service."),
);
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
