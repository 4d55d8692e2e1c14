/**
 * Test helpers that check generated Envoy configuration against the real protobuf schemas
 * (Envoy's own protos from `@grpc/grpc-js-xds`, our MetaProtocol protos in `proto/`), with
 * unknown fields rejected. Generator tests call {@linkcode validateEnvoyFilter} on every
 * EnvoyFilter they produce and {@linkcode assertEnvoyConfig} on RDS route configurations.
 *
 * @module
 */
import { AssertionError } from "node:assert/strict";
import type protobuf from "protobufjs";
import { decodeJson, formatProblems, type Problem, typeUrl } from "../proto/mod.ts";

/** The Envoy message an EnvoyFilter `patch.value` holds, by `configPatches[].applyTo`. */
export const PATCH_VALUE_TYPES: Readonly<Record<string, string>> = {
  LISTENER: "envoy.config.listener.v3.Listener",
  FILTER_CHAIN: "envoy.config.listener.v3.FilterChain",
  NETWORK_FILTER: "envoy.config.listener.v3.Filter",
  LISTENER_FILTER: "envoy.config.listener.v3.ListenerFilter",
  HTTP_FILTER: "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter",
  ROUTE_CONFIGURATION: "envoy.config.route.v3.RouteConfiguration",
  VIRTUAL_HOST: "envoy.config.route.v3.VirtualHost",
  HTTP_ROUTE: "envoy.config.route.v3.Route",
  CLUSTER: "envoy.config.cluster.v3.Cluster",
  EXTENSION_CONFIG: "envoy.config.core.v3.TypedExtensionConfig",
};

/** The outcome of validating a patch value: the Envoy type it was decoded as, or problems. */
export type PatchValidation =
  | { readonly ok: true; readonly typeName: string; readonly message: protobuf.Message }
  | { readonly ok: false; readonly typeName?: string; readonly problems: readonly Problem[] };

/** Options of {@linkcode validateEnvoyFilterPatch}. */
export interface PatchOptions {
  /** The patch's `applyTo`; inferred from the value's shape when absent. */
  readonly applyTo?: string;
  /** Prefix for problem paths. @default "value" */
  readonly path?: string;
}

function isObject(json: unknown): json is Record<string, unknown> {
  return json !== null && typeof json === "object" && !Array.isArray(json);
}

function inferType(value: unknown): string {
  if (isObject(value) && ("typed_config" in value || "typedConfig" in value)) {
    return PATCH_VALUE_TYPES.NETWORK_FILTER;
  }
  return PATCH_VALUE_TYPES.CLUSTER;
}

/**
 * Decodes an EnvoyFilter `configPatches[].patch.value` into the Envoy message its `applyTo`
 * implies: a filter `{name, typed_config}` (whose `typed_config` is an Any, or a TypedStruct
 * whose `value` is checked against its `type_url`), a whole Cluster, and so on. Without
 * `applyTo`, a value with `typed_config` is a network filter and anything else a Cluster.
 * Never throws.
 */
export function validateEnvoyFilterPatch(
  patchValue: unknown,
  options: PatchOptions = {},
): PatchValidation {
  const path = options.path ?? "value";
  const typeName = options.applyTo === undefined
    ? inferType(patchValue)
    : PATCH_VALUE_TYPES[options.applyTo];
  if (typeName === undefined) {
    const message = `Cannot check a patch for applyTo "${options.applyTo}": ` +
      `expected one of ${Object.keys(PATCH_VALUE_TYPES).map((k) => `"${k}"`).join(", ")}`;
    return { ok: false, problems: [{ path, message }] };
  }
  const r = decodeJson(typeName, patchValue, { path });
  return r.ok
    ? { ok: true, typeName, message: r.message }
    : { ok: false, typeName, problems: r.problems };
}

/**
 * Checks every patch value of an EnvoyFilter object (`{spec: {configPatches}}`, as YAML/JSON)
 * and returns all problems, with paths like `spec.configPatches[0].patch.value.typed_config...`.
 * Patches without a value (REMOVE) are skipped. Never throws.
 */
export function validateEnvoyFilter(envoyFilter: unknown): Problem[] {
  const spec = isObject(envoyFilter) ? envoyFilter.spec : undefined;
  const patches = isObject(spec) ? spec.configPatches : undefined;
  if (!Array.isArray(patches)) {
    return [{ path: "spec.configPatches", message: "Expected an array of config patches" }];
  }
  return patches.flatMap((p, i) => {
    const base = `spec.configPatches[${i}]`;
    if (!isObject(p)) return [{ path: base, message: "Expected a config patch object" }];
    const patch = isObject(p.patch) ? p.patch : {};
    if (patch.value === undefined) return [];
    const applyTo = typeof p.applyTo === "string" ? p.applyTo : undefined;
    const r = validateEnvoyFilterPatch(patch.value, { applyTo, path: `${base}.patch.value` });
    return r.ok ? [] : r.problems;
  });
}

function fail(what: string, problems: readonly Problem[]): never {
  throw new AssertionError({ message: `${what}:\n${formatProblems(problems)}` });
}

/**
 * Asserts that `json` decodes into the message of `typeUrlOrName` with no unknown fields or
 * wrong types, and returns the decoded message; the error lists every problem with its path.
 */
export function assertEnvoyConfig(typeUrlOrName: string, json: unknown): protobuf.Message {
  const r = decodeJson(typeUrlOrName, json);
  if (!r.ok) fail(`Invalid ${typeUrl(typeUrlOrName)}`, r.problems);
  return r.message;
}

/** Asserts {@linkcode validateEnvoyFilterPatch} finds no problem; returns the decoded message. */
export function assertEnvoyFilterPatch(
  patchValue: unknown,
  options: PatchOptions = {},
): protobuf.Message {
  const r = validateEnvoyFilterPatch(patchValue, options);
  if (!r.ok) fail(`Invalid EnvoyFilter patch value (${r.typeName ?? "unknown type"})`, r.problems);
  return r.message;
}

/** Asserts {@linkcode validateEnvoyFilter} finds no problem in any patch of `envoyFilter`. */
export function assertEnvoyFilter(envoyFilter: unknown): void {
  const problems = validateEnvoyFilter(envoyFilter);
  if (problems.length > 0) fail("Invalid EnvoyFilter", problems);
}
