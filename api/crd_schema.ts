/**
 * Structural OpenAPI v3 schemas for our CRDs, generated from the Effect Schemas: Effect's JSON
 * Schema output (draft 2020-12) rewritten into what the Kubernetes API server accepts — no
 * `$ref`, a `type` on every node, `x-kubernetes-int-or-string` for int-or-string unions, and
 * `status` preserving unknown fields.
 *
 * @module
 */
import { Schema } from "effect";
import { ApplicationProtocolSpec } from "./application_protocol.ts";
import { DubboAuthorizationPolicySpec } from "./dubbo_authorization_policy.ts";
import { MetaRouterSpec } from "./meta_router.ts";
import { RedisDestinationSpec } from "./redis_destination.ts";
import { RedisServiceSpec } from "./redis_service.ts";

/** A JSON Schema node in OpenAPI v3 form. */
export type JsonSchemaNode = { readonly [key: string]: unknown };

/** The five Aeraki CRD kinds. */
export type AerakiKind =
  | "ApplicationProtocol"
  | "MetaRouter"
  | "RedisService"
  | "RedisDestination"
  | "DubboAuthorizationPolicy";

/** The Aeraki kinds, in a stable order. */
export const AERAKI_KINDS: readonly AerakiKind[] = [
  "ApplicationProtocol",
  "MetaRouter",
  "RedisService",
  "RedisDestination",
  "DubboAuthorizationPolicy",
];

const SPECS: Readonly<Record<AerakiKind, Schema.Top>> = {
  ApplicationProtocol: ApplicationProtocolSpec,
  MetaRouter: MetaRouterSpec,
  RedisService: RedisServiceSpec,
  RedisDestination: RedisDestinationSpec,
  DubboAuthorizationPolicy: DubboAuthorizationPolicySpec,
};

/**
 * The `openAPIV3Schema` of a CRD version for `kind`: a structural schema with `apiVersion`,
 * `kind`, `metadata`, the generated `spec` and an opaque `status`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crdSchema } from "./crd_schema.ts";
 * const schema = crdSchema("MetaRouter");
 * assert.equal(schema.type, "object");
 * assert.deepEqual(Object.keys(schema.properties ?? {}), ["apiVersion", "kind", "metadata", "spec", "status"]);
 * ```
 */
export function crdSchema(kind: AerakiKind): JsonSchemaNode {
  return {
    type: "object",
    description: KIND_DESCRIPTIONS[kind],
    properties: {
      apiVersion: {
        type: "string",
        description: "The versioned schema of this object; the API server converts it to others " +
          "it serves. See https://kubernetes.io/docs/reference/using-api/api-concepts/",
      },
      kind: {
        type: "string",
        description: `The kind of this object: "${kind}".`,
      },
      // The API server documents metadata itself and rejects anything else here.
      metadata: { type: "object" },
      spec: toStructural(SPECS[kind]),
      status: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        description: "What Aeraki observed about this object; written by the operator.",
      },
    },
  };
}

/** One line per kind, for `kubectl explain KIND`. */
const KIND_DESCRIPTIONS: Readonly<Record<AerakiKind, string>> = {
  ApplicationProtocol: "Declares an application protocol carried over MetaProtocol and the " +
    "codec the proxy parses it with (cluster-scoped).",
  MetaRouter: "Routes, mirrors, rewrites and rate-limits the requests of one MetaProtocol " +
    "service (Dubbo, Thrift, tRPC and others), whatever namespace it is in.",
  RedisService: "Routes Redis commands by key prefix, mirrors them and injects faults, for " +
    "Redis services in the mesh.",
  RedisDestination: "Connection, cluster and authentication policies for traffic to a Redis " +
    "service.",
  DubboAuthorizationPolicy: "Allows or denies Dubbo calls by caller identity, namespace, " +
    "interface and method.",
};

/** Converts any Effect schema into a structural OpenAPI v3 schema (see the module doc). */
export function toStructural(schema: Schema.Top): JsonSchemaNode {
  const doc = Schema.toJsonSchemaDocument(schema);
  const defs = (doc.definitions ?? {}) as Record<string, unknown>;
  return rewrite(doc.schema, defs, 0);
}

const SAFE = Number.MAX_SAFE_INTEGER;

function rewrite(node: unknown, defs: Record<string, unknown>, depth: number): JsonSchemaNode {
  if (typeof node !== "object" || node === null || depth > 64) return opaque();
  const n = node as Record<string, unknown>;
  if (typeof n.$ref === "string") {
    return rewrite(defs[n.$ref.split("/").pop() ?? ""], defs, depth + 1);
  }
  const union = (n.anyOf ?? n.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return rewriteUnion(union, defs, depth);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(n)) {
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          rewrite(v, defs, depth + 1),
        ]),
      );
    } else if (key === "items" || (key === "additionalProperties" && value !== true)) {
      if (value !== false) out[key] = rewrite(value, defs, depth + 1);
    } else if (key === "const") {
      out.enum = [value];
    } else if ((key === "minimum" && value === -SAFE) || (key === "maximum" && value === SAFE)) {
      continue;
    } else if (!["additionalProperties", "$schema", "$defs", "allOf"].includes(key)) {
      out[key] = value;
    }
  }
  if (out.type === undefined) {
    if (out.properties || out.additionalProperties) out.type = "object";
    else if (out.items) out.type = "array";
    else if (Array.isArray(out.enum) && out.enum.every((e) => typeof e === "string")) {
      out.type = "string";
    } else return { ...opaque(), ...out };
  }
  return out;
}

function rewriteUnion(
  members: unknown[],
  defs: Record<string, unknown>,
  depth: number,
): JsonSchemaNode {
  const parts = members.map((m) => rewrite(m, defs, depth + 1));
  const types = new Set(parts.map((p) => p.type));
  if (types.size === 2 && types.has("string") && (types.has("integer") || types.has("number"))) {
    return { "x-kubernetes-int-or-string": true };
  }
  if (types.size === 1 && parts.every((p) => Array.isArray(p.enum))) {
    return { type: parts[0].type, enum: parts.flatMap((p) => p.enum as unknown[]) };
  }
  return types.size === 1 ? parts[0] : opaque();
}

function opaque(): JsonSchemaNode {
  return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
}
