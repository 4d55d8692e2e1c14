/**
 * Decoders for every kind, and {@link decodeObject}, which picks the decoder from an object's
 * `apiVersion` and `kind`. Decoders never throw: they return the typed value or every problem,
 * each naming its field path. Our CRs are strict (unknown fields are problems, as the webhook
 * rejects them); Istio and Kubernetes inputs keep only the fields the control plane reads.
 *
 * @module
 */
import { Result, Schema } from "effect";
import { ApplicationProtocol } from "./application_protocol.ts";
import { DestinationRule } from "./destination_rule.ts";
import { DubboAuthorizationPolicy } from "./dubbo_authorization_policy.ts";
import { Gateway } from "./gateway.ts";
import { Service } from "./kube_service.ts";
import { MeshConfig } from "./mesh_config.ts";
import { MetaRouter, metaRouterWarnings } from "./meta_router.ts";
import { type Decoded, issueToProblems, type Problem } from "./problem.ts";
import { RedisDestination } from "./redis_destination.ts";
import { RedisService } from "./redis_service.ts";
import { ServiceEntry } from "./service_entry.ts";
import { VirtualService } from "./virtual_service.ts";

function decoder<T>(
  schema: Schema.Decoder<T>,
  strict: boolean,
): (input: unknown) => Decoded<T> {
  const run = Schema.decodeUnknownResult(schema, {
    errors: "all",
    onExcessProperty: strict ? "error" : "ignore",
    reportInput: true,
  });
  return (input) => {
    const result = run(input);
    return Result.isSuccess(result)
      ? { ok: true, value: result.success }
      : { ok: false, problems: issueToProblems(result.failure.issue) };
  };
}

/** Decodes a MetaRouter with every webhook check. */
export const decodeMetaRouter: (input: unknown) => Decoded<MetaRouter> = decoder(MetaRouter, true);
/** Decodes an ApplicationProtocol. */
export const decodeApplicationProtocol: (input: unknown) => Decoded<ApplicationProtocol> = decoder(
  ApplicationProtocol,
  true,
);
/** Decodes a RedisService. */
export const decodeRedisService: (input: unknown) => Decoded<RedisService> = decoder(
  RedisService,
  true,
);
/** Decodes a RedisDestination. */
export const decodeRedisDestination: (input: unknown) => Decoded<RedisDestination> = decoder(
  RedisDestination,
  true,
);
/** Decodes a DubboAuthorizationPolicy. */
export const decodeDubboAuthorizationPolicy: (input: unknown) => Decoded<DubboAuthorizationPolicy> =
  decoder(DubboAuthorizationPolicy, true);
/** Decodes a Kubernetes Service. */
export const decodeService: (input: unknown) => Decoded<Service> = decoder(Service, false);
/** Decodes an Istio ServiceEntry. */
export const decodeServiceEntry: (input: unknown) => Decoded<ServiceEntry> = decoder(
  ServiceEntry,
  false,
);
/** Decodes an Istio DestinationRule. */
export const decodeDestinationRule: (input: unknown) => Decoded<DestinationRule> = decoder(
  DestinationRule,
  false,
);
/** Decodes an Istio VirtualService. */
export const decodeVirtualService: (input: unknown) => Decoded<VirtualService> = decoder(
  VirtualService,
  false,
);
/** Decodes an Istio Gateway. */
export const decodeGateway: (input: unknown) => Decoded<Gateway> = decoder(Gateway, false);
/** Decodes the parsed `mesh` value of the Istio mesh ConfigMap. */
export const decodeMeshConfig: (input: unknown) => Decoded<MeshConfig> = decoder(
  MeshConfig,
  false,
);

/** Every decoded object {@link decodeObject} can return, tagged by kind. */
export type KnownObject =
  | ApplicationProtocol
  | MetaRouter
  | RedisService
  | RedisDestination
  | DubboAuthorizationPolicy
  | Service
  | ServiceEntry
  | DestinationRule
  | VirtualService
  | Gateway;

/** The kinds {@link decodeObject} knows. */
export type KnownKind = KnownObject["kind"];

interface Entry {
  readonly group: string;
  readonly decode: (input: unknown) => Decoded<KnownObject>;
  readonly warnings?: (value: KnownObject) => Problem[];
}

const ISTIO = "networking.istio.io";
const KINDS: Readonly<Record<KnownKind, Entry>> = {
  ApplicationProtocol: { group: "metaprotocol.aeraki.io", decode: decodeApplicationProtocol },
  MetaRouter: {
    group: "metaprotocol.aeraki.io",
    decode: decodeMetaRouter,
    warnings: (v) => metaRouterWarnings(v as MetaRouter),
  },
  RedisService: { group: "redis.aeraki.io", decode: decodeRedisService },
  RedisDestination: { group: "redis.aeraki.io", decode: decodeRedisDestination },
  DubboAuthorizationPolicy: { group: "dubbo.aeraki.io", decode: decodeDubboAuthorizationPolicy },
  Service: { group: "", decode: decodeService },
  ServiceEntry: { group: ISTIO, decode: decodeServiceEntry },
  DestinationRule: { group: ISTIO, decode: decodeDestinationRule },
  VirtualService: { group: ISTIO, decode: decodeVirtualService },
  Gateway: { group: ISTIO, decode: decodeGateway },
};

/**
 * The kind `input` is, when it is one {@link decodeObject} knows: matched on `kind` and the
 * API group of `apiVersion` (so a Gateway API `Gateway` is not an Istio one). A wrong version
 * of a known group still counts, so decoding can say which version to use.
 */
export function knownKind(input: unknown): KnownKind | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const { apiVersion, kind } = input as { apiVersion?: unknown; kind?: unknown };
  if (typeof kind !== "string" || typeof apiVersion !== "string") return undefined;
  if (!Object.hasOwn(KINDS, kind)) return undefined;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return KINDS[kind as KnownKind].group === group ? kind as KnownKind : undefined;
}

/** The outcome of {@link decodeObject}: like {@link Decoded}, plus the kind and warnings. */
export type DecodedObject =
  | {
    readonly ok: true;
    readonly kind: KnownKind;
    readonly value: KnownObject;
    readonly warnings: readonly Problem[];
  }
  | {
    readonly ok: false;
    readonly kind: KnownKind | undefined;
    readonly problems: readonly Problem[];
    readonly warnings: readonly Problem[];
  };

/**
 * Decodes any known object, picking the schema from `apiVersion` and `kind`. An unknown kind is
 * a problem at `kind` (use {@link knownKind} first to skip those instead).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeObject } from "./decode.ts";
 * const result = decodeObject({
 *   apiVersion: "metaprotocol.aeraki.io/v1alpha1", kind: "ApplicationProtocol",
 *   metadata: { name: "trpc" }, spec: { protocol: "trpc", codec: "" },
 * });
 * assert.equal(result.ok, false);
 * assert.deepEqual(result.ok ? [] : result.problems.map((p) => p.path), ["spec.codec"]);
 * ```
 */
export function decodeObject(input: unknown): DecodedObject {
  const kind = knownKind(input);
  if (!kind) {
    return { ok: false, kind, problems: [unknownKindProblem(input)], warnings: [] };
  }
  const entry = KINDS[kind];
  const decoded = entry.decode(input);
  if (!decoded.ok) return { ok: false, kind, problems: decoded.problems, warnings: [] };
  const warnings = entry.warnings?.(decoded.value) ?? [];
  return { ok: true, kind, value: decoded.value, warnings };
}

function unknownKindProblem(input: unknown): Problem {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { path: "", message: "Write a Kubernetes object (a map with apiVersion and kind)" };
  }
  const { apiVersion, kind } = input as { apiVersion?: unknown; kind?: unknown };
  return {
    path: "kind",
    message: `Use a kind this tool knows (${Object.keys(KINDS).join(", ")}): got ${
      JSON.stringify(kind)
    } of ${JSON.stringify(apiVersion)}`,
  };
}
