/**
 * Generators for the protocols Envoy handles natively (control-plane spec §3.4–§3.7): Dubbo
 * (with RBAC from DubboAuthorizationPolicies), Thrift, Kafka, ZooKeeper and Redis. Each is a
 * {@linkcode ProtocolGenerator}: pure and deterministic, it turns one port of one service into
 * EnvoyFilter drafts plus the problems it found, and never throws on bad input. Every one
 * generates the port it is given (upstream used `ports[0]`, quirk Q3).
 *
 * Part of `operator/generate/`: imports only `api/` and `proto/` (and its own layer).
 *
 * @module
 */
export type { ProtocolGenerator } from "../context.ts";
export { dubboGenerator } from "./dubbo.ts";
export { buildDubboRbacFilters } from "./dubbo_rbac.ts";
export { kafkaGenerator, zookeeperGenerator } from "./kafka.ts";
export { redisGenerator } from "./redis.ts";
export { thriftGenerator } from "./thrift.ts";
