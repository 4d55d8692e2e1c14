/** Test helper: the MetaRouters of the `aeraki validate` fixtures, as parsed objects. */
import { parseAllDocuments } from "yaml";

const DIR = new URL("../../tests/fixtures/validate/", import.meta.url).pathname;

/** Every MetaRouter document of a fixture file, with its text for `aeraki validate`. */
export function fixtureMetaRouters(file: string): { object: unknown; text: string }[] {
  const text = Deno.readTextFileSync(`${DIR}${file}`);
  return parseAllDocuments(text as string).flatMap((doc) => {
    const object = (doc as { toJS(): unknown }).toJS() as { kind?: string } | null;
    return object?.kind === "MetaRouter" ? [{ object, text: String(doc) }] : [];
  });
}

/** An AdmissionReview v1 request for `object`. */
export function reviewOf(object: unknown, operation = "CREATE", uid = "uid-1"): unknown {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "metaprotocol.aeraki.io", version: "v1alpha1", kind: "MetaRouter" },
      resource: { group: "metaprotocol.aeraki.io", version: "v1alpha1", resource: "metarouters" },
      operation,
      object,
    },
  };
}
