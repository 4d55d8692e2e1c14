/**
 * Kafka and ZooKeeper (control-plane spec §3.6): Envoy's `kafka_broker` and `zookeeper_proxy`
 * filters go in front of `tcp_proxy` (INSERT_BEFORE) on the outbound and inbound listeners of
 * the port, with only a stat prefix. Unlike upstream, the port generated is the one given, not
 * `ports[0]` (quirk Q3).
 *
 * @module
 */
import type { ProtocolGenerator, ProtocolOutput, ServiceContext } from "../context.ts";
import type { IstioPort } from "../../../api/mod.ts";
import { bothSides, inboundName, outboundName } from "./_shared.ts";

/** Envoy's Kafka broker filter. */
export const KAFKA_FILTER = "envoy.filters.network.kafka_broker";
/** The type of its config (an Envoy contrib extension). */
export const KAFKA_TYPE_URL =
  "type.googleapis.com/envoy.extensions.filters.network.kafka_broker.v3.KafkaBroker";
/** Envoy's ZooKeeper filter. */
export const ZOOKEEPER_FILTER = "envoy.filters.network.zookeeper_proxy";
/** The type of its config. */
export const ZOOKEEPER_TYPE_URL =
  "type.googleapis.com/envoy.extensions.filters.network.zookeeper_proxy.v3.ZooKeeperProxy";

function statPrefixFilters(
  name: string,
  typeUrl: string,
): (ctx: ServiceContext, port: IstioPort) => ProtocolOutput {
  return (ctx, port) => {
    const p = port.number;
    const filters = bothSides(ctx, p, "INSERT_BEFORE", {
      outbound: { name, typeUrl, value: { statPrefix: outboundName(ctx, p) } },
      inbound: { name, typeUrl, value: { statPrefix: inboundName(p) } },
    });
    return { filters, problems: [] };
  };
}

/**
 * Kafka: a `KafkaBroker` filter with stat prefix `outbound|<port>||<host>` (per VIP) and
 * `inbound|<port>||` (when the service selects workloads), before `tcp_proxy`.
 */
export const kafkaGenerator: ProtocolGenerator = statPrefixFilters(KAFKA_FILTER, KAFKA_TYPE_URL);

/** ZooKeeper: like {@linkcode kafkaGenerator} with a `ZooKeeperProxy` filter. */
export const zookeeperGenerator: ProtocolGenerator = statPrefixFilters(
  ZOOKEEPER_FILTER,
  ZOOKEEPER_TYPE_URL,
);
