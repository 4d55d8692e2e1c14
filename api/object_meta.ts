/**
 * Kubernetes object metadata, shared by every kind. Known fields are typed; anything else the
 * API server adds (uid, managedFields, ownerReferences, …) is kept as is.
 *
 * @module
 */
import { Schema } from "effect";

/** `metadata` of a Kubernetes object. */
export const ObjectMeta = Schema.StructWithRest(
  Schema.Struct({
    name: Schema.String.check(
      Schema.makeFilter((s: string) => s !== "" || "Set metadata.name: it is empty"),
    ),
    namespace: Schema.optionalKey(Schema.String),
    labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    resourceVersion: Schema.optionalKey(Schema.String),
    generation: Schema.optionalKey(Schema.Number),
    uid: Schema.optionalKey(Schema.String),
    creationTimestamp: Schema.optionalKey(Schema.String),
  }),
  [Schema.Record(Schema.String, Schema.Unknown)],
);

/** `metadata` of a Kubernetes object. */
export type ObjectMeta = typeof ObjectMeta.Type;

/** The `status` of our CRs: conditions the operator writes; kept opaque by the schemas. */
export const Status = Schema.optionalKey(Schema.Unknown);
