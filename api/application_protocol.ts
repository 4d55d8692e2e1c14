/**
 * `ApplicationProtocol` (`metaprotocol.aeraki.io/v1alpha1`, cluster-scoped): maps the
 * application protocol named in MetaProtocol port names to a codec.
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
import { nonEmptyString } from "./names.ts";
import { ObjectMeta, Status } from "./object_meta.ts";
import { closestName } from "./suggest.ts";

/**
 * The codecs a MetaProtocol proxy has built in (the names its codec factories register); an
 * ApplicationProtocol must name one of them, or the proxy rejects the filter.
 */
export const KNOWN_CODECS: readonly string[] = [
  "aeraki.meta_protocol.codec.brpc",
  "aeraki.meta_protocol.codec.dubbo",
  "aeraki.meta_protocol.codec.thrift",
  "aeraki.meta_protocol.codec.trpc",
];

/**
 * Why `codec` is not a codec the proxy knows, or `undefined` when it is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codecProblem } from "./application_protocol.ts";
 * assert.equal(codecProblem("aeraki.meta_protocol.codec.dubbo"), undefined);
 * assert.match(codecProblem("aeraki.meta_protocol.codec.dubo") ?? "", /did you mean "aeraki\.meta_protocol\.codec\.dubbo"/);
 * ```
 */
export function codecProblem(codec: string): string | undefined {
  if (codec === "" || KNOWN_CODECS.includes(codec)) return undefined;
  return `Use a codec the proxy knows: ${JSON.stringify(codec)} is not one of ${
    KNOWN_CODECS.map((c) => JSON.stringify(c)).join(", ")
  }${suggestCodec(codec)}`;
}

/** ` (did you mean "…"?)` by the last segment of the codec names, which is what differs. */
function suggestCodec(codec: string): string {
  const last = (name: string) => name.slice(name.lastIndexOf(".") + 1);
  const close = closestName(last(codec), KNOWN_CODECS.map(last));
  const full = KNOWN_CODECS.find((c) => close !== undefined && last(c) === close);
  return full === undefined ? "" : ` (did you mean ${JSON.stringify(full)}?)`;
}

/** The spec of an ApplicationProtocol: protocol name → codec name (both required). */
export const ApplicationProtocolSpec = Schema.Struct({
  protocol: nonEmptyString("the protocol name used in port names").check(
    doc(
      'The application protocol as service port names spell it: ports named "tcp-metaprotocol-' +
        "<protocol>-<suffix>\" are handled with this ApplicationProtocol's codec (case-insensitive).",
    ),
  ),
  codec: nonEmptyString('the codec name, e.g. "aeraki.meta_protocol.codec.thrift"').check(
    Schema.makeFilter((codec: string) => codecProblem(codec), {
      expected: "a codec the proxy knows",
    }),
    doc(
      "The MetaProtocol codec that parses the protocol's frames in the proxy, by its registered " +
        `name: one of ${KNOWN_CODECS.join(", ")}.`,
    ),
  ),
}).check(
  doc(
    "Maps an application protocol carried over MetaProtocol to the codec the proxy decodes it " +
      "with. Dubbo and Thrift are built in; declare others (tRPC, bRPC) here.",
  ),
);
/** The spec of an ApplicationProtocol. */
export type ApplicationProtocolSpec = typeof ApplicationProtocolSpec.Type;

/** An ApplicationProtocol object (cluster-scoped). */
export const ApplicationProtocol = Schema.Struct({
  apiVersion: Schema.Literal("metaprotocol.aeraki.io/v1alpha1"),
  kind: Schema.Literal("ApplicationProtocol"),
  metadata: ObjectMeta,
  spec: ApplicationProtocolSpec,
  status: Status,
});
/** An ApplicationProtocol object. */
export type ApplicationProtocol = typeof ApplicationProtocol.Type;

/** The codecs built in without any ApplicationProtocol CR. */
export const BUILT_IN_CODECS: Readonly<Record<string, string>> = {
  dubbo: "aeraki.meta_protocol.codec.dubbo",
  thrift: "aeraki.meta_protocol.codec.thrift",
};
