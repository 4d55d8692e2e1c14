/**
 * JSON → `google.protobuf.Struct` wire bytes (protobufjs bundles the Google protos with
 * lowerCamelCase field names), with keys sorted so the bytes are
 * deterministic (Istio's metadata exchange serializes node metadata this way), and base64.
 *
 * @module
 */
import { lookupType } from "../../proto/mod.ts";

type ValueObject = Record<string, unknown>;

function toValue(json: unknown): ValueObject {
  if (json === null || json === undefined) return { nullValue: 0 };
  if (typeof json === "number") return { numberValue: json };
  if (typeof json === "boolean") return { boolValue: json };
  if (typeof json === "string") return { stringValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(toValue) } };
  return { structValue: toStruct(json as ValueObject) };
}

/** A JSON object as a protobufjs plain `google.protobuf.Struct` (`{fields: {…}}`), keys sorted. */
export function toStruct(json: ValueObject): ValueObject {
  const fields: ValueObject = {};
  for (const key of Object.keys(json).sort()) fields[key] = toValue(json[key]);
  return { fields };
}

/** The `google.protobuf.Struct` encoding of a JSON object, keys sorted. */
export function structBytes(json: { readonly [key: string]: unknown }): Uint8Array {
  const type = lookupType("google.protobuf.Struct");
  if (!type) throw new Error("Cannot find google.protobuf.Struct in the bundled protos");
  return type.encode(type.fromObject(toStruct(json as ValueObject))).finish();
}

/** Standard base64 (with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
