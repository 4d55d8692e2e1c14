/**
 * `ApplicationProtocol` (`metaprotocol.aeraki.io/v1alpha1`, cluster-scoped): maps the
 * application protocol named in MetaProtocol port names to a codec.
 *
 * @module
 */
import { Schema } from "effect";
import { nonEmptyString } from "./names.ts";
import { ObjectMeta, Status } from "./object_meta.ts";

/** The spec of an ApplicationProtocol: protocol name → codec name (both required). */
export const ApplicationProtocolSpec = Schema.Struct({
  protocol: nonEmptyString("the protocol name used in port names"),
  codec: nonEmptyString('the codec name, e.g. "aeraki.meta_protocol.codec.thrift"'),
});
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
