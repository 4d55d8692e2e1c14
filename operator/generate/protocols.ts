/**
 * The protocol generators, by the protocol name a port name selects (control-plane spec §2.1).
 * Every supported port of a service runs the generator of its protocol (upstream ran only the
 * first one, quirk Q3).
 *
 * @module
 */
import { type IstioPort, protocolFromPortName } from "../../api/mod.ts";
import type { ProtocolGenerator } from "./context.ts";
import { metaProtocolGenerator } from "./metaprotocol/generator.ts";
import {
  dubboGenerator,
  kafkaGenerator,
  redisGenerator,
  thriftGenerator,
  zookeeperGenerator,
} from "./native/mod.ts";

/**
 * Protocol name (lower case, as {@link protocolFromPortName} returns it) → generator. Add an
 * entry here to support another protocol; ports of protocols without an entry (mongo, mysql, or
 * plain TCP) get nothing.
 */
export const PROTOCOL_GENERATORS: Readonly<Record<string, ProtocolGenerator>> = {
  metaprotocol: metaProtocolGenerator,
  dubbo: dubboGenerator,
  thrift: thriftGenerator,
  kafka: kafkaGenerator,
  zookeeper: zookeeperGenerator,
  redis: redisGenerator,
};

/** The generator of a port, or `undefined` when its protocol has none. */
export function generatorForPort(
  port: IstioPort,
  generators: Readonly<Record<string, ProtocolGenerator>> = PROTOCOL_GENERATORS,
): ProtocolGenerator | undefined {
  const protocol = protocolFromPortName(port.name ?? "", { registered: Object.keys(generators) });
  return protocol !== undefined && Object.hasOwn(generators, protocol)
    ? generators[protocol]
    : undefined;
}
