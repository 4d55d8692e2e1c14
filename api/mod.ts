/**
 * `api/`: the Aeraki CRDs (ApplicationProtocol, MetaRouter, RedisService, RedisDestination,
 * DubboAuthorizationPolicy) and the Istio / Kubernetes inputs the control plane reads
 * (Service, ServiceEntry, DestinationRule, VirtualService, Gateway, mesh config) as Effect
 * Schemas: TypeScript types, decoders whose problems name the field path, every check of
 * Aeraki's validation webhook, port-name protocol parsing, and structural JSON Schemas for the
 * CRDs.
 *
 * A leaf layer: imports only `effect` and `re2js`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeObject, formatProblem } from "./mod.ts";
 * const result = decodeObject({
 *   apiVersion: "metaprotocol.aeraki.io/v1alpha1",
 *   kind: "MetaRouter",
 *   metadata: { name: "r", namespace: "demo" },
 *   spec: { hosts: ["svc.demo.svc.cluster.local"] },
 * });
 * assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
 *   "spec: Add routes, a localRateLimit or a globalRateLimit: the MetaRouter does nothing",
 * ]);
 * ```
 *
 * @module
 */
export * from "./application_protocol.ts";
export * from "./crd_schema.ts";
export * from "./decode.ts";
export * from "./destination_rule.ts";
export * from "./dubbo_authorization_policy.ts";
export * from "./duration.ts";
export * from "./export_to.ts";
export * from "./gateway.ts";
export * from "./istio_common.ts";
export * from "./kube_service.ts";
export * from "./mesh_config.ts";
export * from "./meta_rate_limit.ts";
export * from "./meta_route.ts";
export * from "./meta_router.ts";
export * from "./names.ts";
export * from "./object_meta.ts";
export * from "./port_checks.ts";
export * from "./port_protocol.ts";
export * from "./problem.ts";
export * from "./redis_destination.ts";
export * from "./redis_service.ts";
export * from "./regex.ts";
export * from "./service_entry.ts";
export * from "./string_match.ts";
export * from "./suggest.ts";
export * from "./virtual_service.ts";
