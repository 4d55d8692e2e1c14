/**
 * `DubboAuthorizationPolicy` (`dubbo.aeraki.io/v1alpha1`, namespaced): RBAC for Dubbo services.
 * Every string value is one of `abc` (exact), `abc*` (prefix), `*abc` (suffix) or `*` (present).
 *
 * @module
 */
import { Schema } from "effect";
import { ObjectMeta, Status } from "./object_meta.ts";

const Pattern = Schema.String.check(
  Schema.makeFilter((s: string) =>
    s === ""
      ? 'Set a value: use "*" to match any'
      : s.length > 1 && s.slice(1, -1).includes("*")
      ? `Put "*" only at the start or end of ${
        JSON.stringify(s)
      }: values are exact, "abc*", "*abc" or "*"`
      : undefined
  ),
);
const Patterns = Schema.optionalKey(Schema.Array(Pattern));

/** Who the request comes from. */
export const DubboSource = Schema.Struct({
  principals: Patterns,
  notPrincipals: Patterns,
  namespaces: Patterns,
  notNamespaces: Patterns,
});

/** What the request calls. */
export const DubboOperation = Schema.Struct({
  interfaces: Patterns,
  notInterfaces: Patterns,
  methods: Patterns,
  notMethods: Patterns,
});

/** A rule: matches when one `from` and one `to` match (an absent list matches all). */
export const DubboRule = Schema.Struct({
  from: Schema.optionalKey(
    Schema.Array(Schema.Struct({ source: Schema.optionalKey(DubboSource) })),
  ),
  to: Schema.optionalKey(
    Schema.Array(Schema.Struct({ operation: Schema.optionalKey(DubboOperation) })),
  ),
});
/** A rule of a DubboAuthorizationPolicy. */
export type DubboRule = typeof DubboRule.Type;

/** The spec of a DubboAuthorizationPolicy (`action` defaults to ALLOW). */
export const DubboAuthorizationPolicySpec = Schema.Struct({
  rules: Schema.optionalKey(Schema.Array(DubboRule)),
  action: Schema.optionalKey(Schema.Literals(["ALLOW", "DENY"])),
});
/** The spec of a DubboAuthorizationPolicy. */
export type DubboAuthorizationPolicySpec = typeof DubboAuthorizationPolicySpec.Type;

/** A DubboAuthorizationPolicy object. */
export const DubboAuthorizationPolicy = Schema.Struct({
  apiVersion: Schema.Literal("dubbo.aeraki.io/v1alpha1"),
  kind: Schema.Literal("DubboAuthorizationPolicy"),
  metadata: ObjectMeta,
  spec: DubboAuthorizationPolicySpec,
  status: Status,
});
/** A DubboAuthorizationPolicy object. */
export type DubboAuthorizationPolicy = typeof DubboAuthorizationPolicy.Type;
