/**
 * Wire bytes → proto3 JSON, the reverse of {@link decodeJson}: a resource that arrives over
 * xDS as an `Any` becomes the JSON a user would write in a bootstrap (lowerCamelCase names,
 * enums by name, durations as `"1.5s"`, wrappers as bare scalars, `Any` as `{"@type", ...}`),
 * so it can go through the same strict loader as a file.
 *
 * @module
 */
import protobuf from "protobufjs";
import { resolveType } from "./registry.ts";

type Obj = Record<string, unknown>;

const WRAPPERS = new Set(
  ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map(
    (w) => `google.protobuf.${w}Value`,
  ),
);
const INT64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function duration(m: Obj): string {
  const seconds = Number(m.seconds ?? 0);
  const nanos = Number(m.nanos ?? 0);
  const negative = seconds < 0 || nanos < 0;
  const frac = Math.abs(nanos) === 0 ? "" : `.${String(Math.abs(nanos)).padStart(9, "0")}`;
  return `${negative ? "-" : ""}${Math.abs(seconds)}${frac.replace(/0+$/, "")}s`;
}

function scalar(type: string, v: unknown): unknown {
  if (INT64.has(type)) return String(v);
  if (type === "bytes") return base64(v as Uint8Array);
  if ((type === "double" || type === "float") && typeof v === "number" && !Number.isFinite(v)) {
    return String(v);
  }
  return v;
}

function structValue(v: Obj): unknown {
  if ("null_value" in v || "nullValue" in v) return null;
  if ("number_value" in v) return v.number_value;
  if ("string_value" in v) return v.string_value;
  if ("bool_value" in v) return v.bool_value;
  if ("struct_value" in v) return struct(v.struct_value as Obj);
  if ("list_value" in v) return ((v.list_value as Obj).values as Obj[] ?? []).map(structValue);
  return null;
}

function struct(v: Obj): Obj {
  const fields = (v.fields ?? {}) as Record<string, Obj>;
  return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, structValue(x)]));
}

function wellKnown(name: string, m: Obj): { value: unknown } | undefined {
  if (name === "google.protobuf.Duration") return { value: duration(m) };
  if (WRAPPERS.has(name)) {
    const t = name.slice("google.protobuf.".length, -"Value".length).toLowerCase();
    const type = t === "uint64" ? "uint64" : t === "int64" ? "int64" : t;
    return {
      value: scalar(type, m.value ?? (type === "bool" ? false : type === "string" ? "" : 0)),
    };
  }
  if (name === "google.protobuf.Struct") return { value: struct(m) };
  if (name === "google.protobuf.Value") return { value: structValue(m) };
  if (name === "google.protobuf.Timestamp") {
    const ms = Number(m.seconds ?? 0) * 1000 + Math.floor(Number(m.nanos ?? 0) / 1e6);
    return { value: new Date(ms).toISOString() };
  }
  if (name === "google.protobuf.Any") return { value: anyToJson(m) };
  return undefined;
}

function anyToJson(m: Obj): Obj {
  const url = String(m.type_url ?? "");
  const found = resolveType(url);
  if (!found.ok) return { "@type": url };
  const inner = found.type.decode((m.value ?? new Uint8Array()) as Uint8Array) as unknown as Obj;
  const json = messageToJson(found.type, inner);
  const name = found.type.fullName.replace(/^\./, "");
  if (name.startsWith("google.protobuf.") && !(json !== null && typeof json === "object")) {
    return { "@type": url, value: json };
  }
  return { "@type": url, ...(json as Obj) };
}

function value(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) return typeof v === "number" ? t.valuesById[v] ?? v : v;
  if (t instanceof protobuf.Type) return messageToJson(t, v as Obj);
  return scalar(field.type, v);
}

/**
 * The proto3 JSON of a decoded message `m` (as `type.decode` returns it) of `type`. Fields
 * left at their default are omitted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookupType } from "./registry.ts";
 * import { messageToJson } from "./to_json.ts";
 * const type = lookupType("envoy.config.cluster.v3.Cluster")!;
 * const bytes = type.encode(type.fromObject({ name: "c", connect_timeout: { seconds: 1 } })).finish();
 * assert.deepEqual(messageToJson(type, type.decode(bytes)), { name: "c", connectTimeout: "1s" });
 * ```
 */
export function messageToJson(type: protobuf.Type, m: object): unknown {
  const msg = m as Obj;
  const known = wellKnown(type.fullName.replace(/^\./, ""), msg);
  if (known) return known.value;
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    if (!Object.hasOwn(msg, field.name)) continue;
    const v = msg[field.name];
    if (v === null || v === undefined) continue;
    field.resolve();
    if (field.map) {
      const entries = Object.entries(v as Obj);
      if (entries.length === 0) continue;
      out[field.jsonName ?? field.name] = Object.fromEntries(
        entries.map(([k, x]) => [k, value(field, x)]),
      );
    } else if (field.repeated) {
      if ((v as unknown[]).length === 0) continue;
      out[field.jsonName ?? field.name] = (v as unknown[]).map((x) => value(field, x));
    } else {
      out[field.jsonName ?? field.name] = value(field, v);
    }
  }
  return out;
}
