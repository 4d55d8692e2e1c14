/**
 * Walks JSON that `decodeJson` has already accepted, beside its message descriptors, and
 * produces a canonical plain tree for the compiler: proto (snake_case) field names, repeated
 * fields always arrays, enums as names, durations in milliseconds, wrappers unwrapped,
 * 64-bit integers as numbers, `Any`/`TypedStruct` replaced by their payload with `"@type"`
 * set to the payload's full name. On the way it applies the loader policy: fields we do not
 * implement become problems, fields without effect are listed as ignored.
 *
 * @module
 */
import type protobuf from "protobufjs";
import { resolveType } from "../../proto/mod.ts";
import { type FieldRule, POLICY, type Policy } from "./_policy.ts";

/** A canonical message: proto field names to canonical values. */
export type Plain = { readonly [field: string]: unknown };

/** One problem or ignored field, by JSON path (user's spelling of the keys). */
export interface PathNote {
  readonly path: string;
  readonly message: string;
}

const WRAPPERS = new Set(
  ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map(
    (w) => `google.protobuf.${w}Value`,
  ),
);
const JSON_AS_IS = new Set([
  "google.protobuf.Struct",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
  "google.protobuf.Timestamp",
  "google.protobuf.FieldMask",
]);
const TYPED_STRUCTS = new Set(["udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct"]);
const INT64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

/** Appends a key to a JSON path, quoting keys that are not plain names. */
export function joinPath(path: string, key: string): string {
  if (!/^[A-Za-z_@][\w]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** Milliseconds of a proto3 JSON duration such as `"1.5s"`. */
export function durationMs(text: string): number {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) return NaN;
  const ms = Number(m[2]) * 1000 + Number((m[3] ?? "").padEnd(9, "0")) / 1e6;
  return m[1] ? -ms : ms;
}

function fullName(t: protobuf.Type | protobuf.Enum): string {
  return t.fullName.replace(/^\./, "");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The canonical-tree walker; collects problems, ignored fields and each object's path. */
export class Normalizer {
  readonly problems: PathNote[] = [];
  readonly ignored: PathNote[] = [];
  /** The user's JSON path of every canonical message object. */
  readonly paths = new WeakMap<object, string>();
  readonly #policy: Policy;
  readonly #ignoredAt = new Map<string, { index: number; reason: string; more: number }>();

  constructor(policy: Policy = POLICY) {
    this.#policy = policy;
  }

  /** Normalizes `json` as message `type` found at `path`. */
  message(type: protobuf.Type, json: unknown, path: string): unknown {
    const name = fullName(type);
    if (name === "google.protobuf.Duration") return durationMs(String(json));
    if (WRAPPERS.has(name)) return this.#scalar(type.fields.value, json);
    if (JSON_AS_IS.has(name)) return json;
    if (name === "google.protobuf.Any") return this.#any(json, path);
    if (!isObject(json)) return undefined;
    const rules = this.#policy.get(name);
    if (!rules) {
      this.problems.push({ path, message: `Cannot use ${name}: not implemented by this proxy` });
      return undefined;
    }
    const out: Record<string, unknown> = {};
    this.paths.set(out, path);
    for (const [key, value] of Object.entries(json)) {
      const field = type.fields[key] ?? type.fieldsArray.find((f) => f.jsonName === key);
      if (!field || value === null) continue;
      const p = joinPath(path, key);
      const rule: FieldRule | undefined = rules[field.name];
      if (rule === undefined) {
        const message = `Cannot use field "${key}" of ${name}: not implemented by this proxy`;
        this.problems.push({ path: p, message });
      } else if (rule !== "use") {
        this.#ignore(`${name}.${field.name}`, p, rule.ignore);
      } else {
        const v = this.#field(field, value, p);
        if (v !== undefined) out[field.name] = v;
      }
    }
    return out;
  }

  /** Lists an ignored field once per message field, counting its other places. */
  #ignore(key: string, path: string, reason: string): void {
    const seen = this.#ignoredAt.get(key);
    if (!seen) {
      this.#ignoredAt.set(key, { index: this.ignored.length, reason, more: 0 });
      this.ignored.push({ path, message: reason });
      return;
    }
    seen.more++;
    const others = seen.more === 1 ? "1 other place" : `${seen.more} other places`;
    this.ignored[seen.index] = {
      ...this.ignored[seen.index],
      message: `${seen.reason} (also at ${others})`,
    };
  }

  #any(json: unknown, path: string): unknown {
    if (!isObject(json) || typeof json["@type"] !== "string") return undefined;
    const found = resolveType(json["@type"]);
    if (!found.ok) return undefined;
    const type = found.type;
    const name = fullName(type);
    if (TYPED_STRUCTS.has(name)) {
      const url = json.type_url ?? json.typeUrl;
      const inner = typeof url === "string" ? resolveType(url) : undefined;
      if (!inner?.ok) return undefined;
      return this.#tagged(inner.type, json.value ?? {}, joinPath(path, "value"));
    }
    const { "@type": _, ...rest } = json;
    if (name.startsWith("google.protobuf.") && "value" in rest) {
      return this.message(type, rest.value, joinPath(path, "value"));
    }
    return this.#tagged(type, rest, path);
  }

  #tagged(type: protobuf.Type, json: unknown, path: string): unknown {
    const v = this.message(type, json, path);
    if (!isObject(v)) return v;
    const tagged = { "@type": fullName(type), ...v };
    this.paths.set(tagged, path);
    return tagged;
  }

  #field(field: protobuf.Field, json: unknown, path: string): unknown {
    if (field.map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
        out[k] = this.#single(field, v, joinPath(path, k));
      }
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(json)) return [this.#single(field, json, path)];
      return json.map((v, i) => this.#single(field, v, `${path}[${i}]`));
    }
    return this.#single(field, json, path);
  }

  #single(field: protobuf.Field, json: unknown, path: string): unknown {
    const t = field.resolvedType;
    if (t && "values" in t && !("fields" in t)) {
      const e = t as protobuf.Enum;
      return typeof json === "number" ? e.valuesById[json] ?? String(json) : json;
    }
    if (t) return this.message(t as protobuf.Type, json, path);
    return this.#scalar(field, json);
  }

  #scalar(field: protobuf.Field, json: unknown): unknown {
    if (INT64.has(field.type) && typeof json === "string") return Number(json);
    if (field.type === "double" || field.type === "float") {
      return typeof json === "string" ? Number(json) : json;
    }
    if (/int32|fixed32/.test(field.type) && typeof json === "string") return Number(json);
    return json;
  }
}
