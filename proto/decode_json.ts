/**
 * A strict proto3 JSON decoder: walks the JSON against the message descriptor and reports
 * every field the type does not have (protobufjs' own `fromObject` silently drops them), with
 * the JSON path of each problem. It accepts lowerCamelCase and original snake_case names, the
 * well-known types' JSON forms, `google.protobuf.Any` with `"@type"` (decoded into the embedded
 * type), and `TypedStruct` (`udpa.type.v1` / `xds.type.v3`), whose `value` is checked against
 * the message named by its `type_url`, as Envoy does for EnvoyFilter patches.
 *
 * @module
 */
import protobuf from "protobufjs";
import { resolveType } from "./registry.ts";
import {
  type Context,
  describe,
  joinPath,
  parseEnum,
  parseMapKey,
  parseScalar,
  type Problem,
  report,
} from "./_scalar.ts";
import { WELL_KNOWN } from "./_wkt.ts";

export type { Problem } from "./_scalar.ts";

/** The outcome of {@linkcode decodeJson}: the decoded message, or every problem found. */
export type DecodeResult =
  | { readonly ok: true; readonly type: protobuf.Type; readonly message: protobuf.Message }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** The outcome of {@linkcode encode}: the wire bytes, or every problem found. */
export type EncodeResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Options of {@linkcode decodeJson}. */
export interface DecodeOptions {
  /** Prefix for problem paths, e.g. `value` when the JSON sits under that key. @default "" */
  readonly path?: string;
  /**
   * Accept a single value (not an array) for a repeated field as a one-element list, as
   * Envoy's config loader does (upstream test configs rely on it). @default false
   */
  readonly singleAsList?: boolean;
}

const MAX_DEPTH = 100;
const ANY = ".google.protobuf.Any";
const VALUE = ".google.protobuf.Value";
const EMPTY = ".google.protobuf.Empty";
const TYPED_STRUCTS = new Set([".udpa.type.v1.TypedStruct", ".xds.type.v3.TypedStruct"]);
type Json = Record<string, unknown>;

const indexes = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

function fieldIndex(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = indexes.get(type);
  if (!index) {
    index = new Map();
    for (const f of type.fieldsArray) {
      index.set(f.name, f);
      index.set(f.jsonName ?? f.name, f);
    }
    indexes.set(type, index);
  }
  return index;
}

function nameOf(type: protobuf.Type | protobuf.Enum): string {
  return type.fullName.replace(/^\./, "");
}

function isObject(json: unknown): json is Json {
  return json !== null && typeof json === "object" && !Array.isArray(json);
}

function decodeMessage(
  ctx: Context,
  type: protobuf.Type,
  json: unknown,
  path: string,
  depth: number,
) {
  if (depth > MAX_DEPTH) {
    return report(ctx, path, `Cannot decode: nesting is deeper than ${MAX_DEPTH}`);
  }
  const wellKnown = WELL_KNOWN.get(type.fullName);
  if (wellKnown) return wellKnown(ctx, json, path);
  if (type.fullName === ANY) return decodeAny(ctx, json, path, depth);
  if (!isObject(json)) {
    return report(ctx, path, `Expected an object (${nameOf(type)}): got ${describe(json)}`);
  }
  const plain = decodeFields(ctx, type, json, path, depth);
  if (TYPED_STRUCTS.has(type.fullName)) checkTypedStruct(ctx, json, path, depth);
  return plain;
}

function decodeFields(ctx: Context, type: protobuf.Type, json: Json, path: string, depth: number) {
  const index = fieldIndex(type);
  const out: Json = {};
  const seen = new Map<string, string>();
  const oneofs = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const p = joinPath(path, key);
    const field = index.get(key);
    if (!field) {
      report(ctx, p, `Unknown field "${key}" in ${nameOf(type)}`);
      continue;
    }
    const earlier = seen.get(field.name);
    if (earlier !== undefined) {
      report(ctx, p, `Duplicate field "${key}": "${earlier}" already sets it`);
      continue;
    }
    seen.set(field.name, key);
    if (value === null && field.resolvedType?.fullName !== VALUE) continue;
    const decoded = decodeField(ctx, field, value, p, depth);
    const other = field.partOf ? oneofs.get(field.partOf.name) : undefined;
    if (field.partOf && other !== undefined) {
      report(ctx, p, `Cannot set "${key}": oneof "${field.partOf.name}" already has "${other}"`);
      continue;
    }
    if (field.partOf) oneofs.set(field.partOf.name, key);
    if (decoded !== undefined) out[field.name] = decoded;
  }
  return out;
}

function decodeField(
  ctx: Context,
  field: protobuf.Field,
  json: unknown,
  path: string,
  depth: number,
) {
  if (field.map) {
    if (!isObject(json)) {
      return report(ctx, path, `Expected an object (map): got ${describe(json)}`);
    }
    const out: Json = {};
    const keyType = (field as unknown as protobuf.MapField).keyType;
    for (const [k, v] of Object.entries(json)) {
      const p = joinPath(path, k);
      if (parseMapKey(ctx, keyType, k, p) === undefined) continue;
      const decoded = decodeSingle(ctx, field, v, p, depth);
      if (decoded !== undefined) out[k] = decoded;
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(json) && ctx.singleAsList) {
      const one = decodeSingle(ctx, field, json, path, depth);
      return one === undefined ? undefined : [one];
    }
    if (!Array.isArray(json)) return report(ctx, path, `Expected an array: got ${describe(json)}`);
    return json.map((v, i) => decodeSingle(ctx, field, v, `${path}[${i}]`, depth));
  }
  return decodeSingle(ctx, field, json, path, depth);
}

function decodeSingle(
  ctx: Context,
  field: protobuf.Field,
  json: unknown,
  path: string,
  depth: number,
) {
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) {
    if (t.fullName === ".google.protobuf.NullValue" && json === null) return 0;
    return parseEnum(ctx, t, json, path);
  }
  if (t instanceof protobuf.Type) return decodeMessage(ctx, t, json, path, depth + 1);
  if (json === null) return report(ctx, path, `Expected a ${field.type}: got null`);
  return parseScalar(ctx, field.type, json, path);
}

function decodeAny(ctx: Context, json: unknown, path: string, depth: number) {
  if (!isObject(json)) {
    return report(ctx, path, `Expected an object (google.protobuf.Any): got ${describe(json)}`);
  }
  const { "@type": url, ...rest } = json;
  if (url === undefined && Object.keys(rest).length === 0) return {};
  const at = joinPath(path, "@type");
  if (typeof url !== "string") {
    return report(ctx, at, `Expected a type URL string in "@type": got ${describe(url)}`);
  }
  const found = resolveType(url);
  if (!found.ok) return report(ctx, at, `${found.reason} in "@type"`);
  const type = found.type;
  const before = ctx.problems.length;
  let inner: unknown;
  if (
    WELL_KNOWN.has(type.fullName) || type.fullName === ANY ||
    (type.fullName === EMPTY && "value" in rest)
  ) {
    for (const key of Object.keys(rest)) {
      if (key !== "value") {
        report(ctx, joinPath(path, key), `Unknown field "${key}" in ${nameOf(type)}`);
      }
    }
    inner = decodeMessage(ctx, type, rest.value, joinPath(path, "value"), depth + 1);
  } else {
    inner = decodeMessage(ctx, type, rest, path, depth + 1);
  }
  if (inner === undefined || ctx.problems.length > before) return undefined;
  try {
    return { type_url: url, value: type.encode(type.fromObject(inner as Json)).finish() };
  } catch (e) {
    return report(
      ctx,
      path,
      `Cannot encode ${nameOf(type)}: ${e instanceof Error ? e.message : e}`,
    );
  }
}

function checkTypedStruct(ctx: Context, json: Json, path: string, depth: number): void {
  const urlKey = "type_url" in json ? "type_url" : "typeUrl";
  const url = json[urlKey];
  if (typeof url !== "string" || url === "") return;
  const found = resolveType(url);
  if (!found.ok) {
    report(ctx, joinPath(path, urlKey), `${found.reason} in "${urlKey}"`);
    return;
  }
  decodeMessage(ctx, found.type, json.value ?? {}, joinPath(path, "value"), depth + 1);
}

/**
 * Decodes proto3 JSON into the message named by a type URL or full name, rejecting unknown
 * fields, wrong value types, unknown enum names, two members of one oneof, and Any or
 * TypedStruct payloads that do not fit their type. Never throws.
 *
 * @example
 * ```ts
 * import { decodeJson } from "./decode_json.ts";
 * const r = decodeJson("aeraki.meta_protocol_proxy.config.route.v1alpha.Route", {
 *   name: "default",
 *   bogus: 1,
 * });
 * r.ok; // false: [{ path: "bogus", message: 'Unknown field "bogus" in aeraki...Route' }]
 * ```
 */
export function decodeJson(
  typeUrlOrName: string,
  json: unknown,
  options: DecodeOptions = {},
): DecodeResult {
  const root = options.path ?? "";
  const found = resolveType(typeUrlOrName);
  if (!found.ok) return { ok: false, problems: [{ path: root, message: found.reason }] };
  const ctx: Context = { problems: [], singleAsList: options.singleAsList };
  try {
    // The walk reports problems instead of throwing; this only catches non-JSON input such as
    // a cyclic object nested in a Struct (stack overflow) or protobufjs refusing a value.
    const plain = decodeMessage(ctx, found.type, json, root, 0);
    if (ctx.problems.length > 0) return { ok: false, problems: ctx.problems };
    return { ok: true, type: found.type, message: found.type.fromObject(plain as Json) };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const message = `Cannot decode ${nameOf(found.type)}: ${detail}`;
    return { ok: false, problems: [...ctx.problems, { path: root, message }] };
  }
}

/**
 * Decodes proto3 JSON strictly (see {@linkcode decodeJson}) and encodes it to protobuf wire
 * bytes. Never throws.
 */
export function encode(
  typeUrlOrName: string,
  json: unknown,
  options: DecodeOptions = {},
): EncodeResult {
  const decoded = decodeJson(typeUrlOrName, json, options);
  if (!decoded.ok) return decoded;
  try {
    return { ok: true, bytes: decoded.type.encode(decoded.message).finish() };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const message = `Cannot encode ${nameOf(decoded.type)}: ${detail}`;
    return { ok: false, problems: [{ path: options.path ?? "", message }] };
  }
}

/** Formats problems one per line as `path: message` (just the message at the root). */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path === "" ? p.message : `${p.path}: ${p.message}`)).join("\n");
}
