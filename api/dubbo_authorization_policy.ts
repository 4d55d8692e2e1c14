/**
 * `DubboAuthorizationPolicy` (`dubbo.aeraki.io/v1alpha1`, namespaced): RBAC for Dubbo services.
 * Every string value is one of `abc` (exact), `abc*` (prefix), `*abc` (suffix) or `*` (present).
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
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
const VALUES =
  'Values match exactly, by prefix ("abc*"), by suffix ("*abc"), or any non-empty value ("*").';
const Patterns = (description: string) =>
  Schema.optionalKey(Schema.Array(Pattern).check(doc(`${description} ${VALUES}`)));

/** Who the request comes from. */
export const DubboSource = Schema.Struct({
  principals: Patterns(
    'Caller identities (service accounts, e.g. "cluster.local/ns/dubbo/sa/consumer"), any of ' +
      "which matches; needs mutual TLS. Any caller when unset.",
  ),
  notPrincipals: Patterns("Caller identities that do not match."),
  namespaces: Patterns(
    "Namespaces of the caller, any of which matches; needs mutual TLS. Any namespace when unset.",
  ),
  notNamespaces: Patterns("Caller namespaces that do not match."),
});

/** What the request calls. */
export const DubboOperation = Schema.Struct({
  interfaces: Patterns("Dubbo interfaces called, any of which matches. Any interface when unset."),
  notInterfaces: Patterns("Dubbo interfaces that do not match."),
  methods: Patterns("Dubbo methods called, any of which matches. Any method when unset."),
  notMethods: Patterns("Dubbo methods that do not match."),
});

/** A rule: matches when one `from` and one `to` match (an absent list matches all). */
export const DubboRule = Schema.Struct({
  from: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({
        source: Schema.optionalKey(
          DubboSource.check(doc("Who calls: every field set must match (AND).")),
        ),
      }).check(doc("One kind of caller.")),
    ).check(doc("The callers, any of which matches; any caller when unset.")),
  ),
  to: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({
        operation: Schema.optionalKey(
          DubboOperation.check(doc("What is called: every field set must match (AND).")),
        ),
      }).check(doc("One kind of call.")),
    ).check(doc("The calls, any of which matches; any call when unset.")),
  ),
});
/** A rule of a DubboAuthorizationPolicy. */
export type DubboRule = typeof DubboRule.Type;

/** The spec of a DubboAuthorizationPolicy (`action` defaults to ALLOW). */
export const DubboAuthorizationPolicySpec = Schema.Struct({
  rules: Schema.optionalKey(
    Schema.Array(
      DubboRule.check(doc("A rule matches when a caller in from makes a call in to.")),
    ).check(doc("The requests the policy matches: those any rule matches. None when unset.")),
  ),
  action: Schema.optionalKey(
    Schema.Literals(["ALLOW", "DENY"]).check(
      doc(
        "ALLOW lets only the matching requests through; DENY rejects them. DENY policies are " +
          "checked first.",
        { default: "ALLOW" },
      ),
    ),
  ),
}).check(
  doc(
    "Access control for the Dubbo services of the policy's namespace (every namespace when it " +
      "is the root namespace).",
  ),
);
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
