/**
 * proto3 JSON rules for scalar fields and enums (https://protobuf.dev/programming-guides/json/):
 * integers as numbers or decimal strings, 64-bit integers usually as strings, floats also as
 * "NaN" / "Infinity" / "-Infinity", bytes as (URL-safe or standard) base64, enums by name or
 * number. Each parser returns the protobufjs plain value, or records a problem and returns
 * `undefined`.
 *
 * @module
 */
import type protobuf from "protobufjs";

/** One reason a JSON value does not fit its message type, and where. */
export interface Problem {
  /** Where in the JSON input, e.g. `routeConfig.routes[0].bogus` (empty for the root). */
  readonly path: string;
  /** What is wrong, in sentence case, values quoted. */
  readonly message: string;
}

/** Collects problems while walking one JSON document. */
export interface Context {
  readonly problems: Problem[];
  /** Accept a single value where a repeated field is expected, as a one-element list. */
  readonly singleAsList?: boolean;
}

/** Records a problem and returns `undefined`, so callers can `return report(...)`. */
export function report(ctx: Context, path: string, message: string): undefined {
  ctx.problems.push({ path, message });
  return undefined;
}

/** Appends a field or map key to a path: `a.b`, or `a["x.y"]` when the key is not a plain name. */
export function joinPath(path: string, key: string): string {
  if (!/^[A-Za-z_][\w]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** A short, quoted description of a JSON value for messages. */
export function describe(json: unknown): string {
  if (json === null) return "null";
  if (Array.isArray(json)) return "an array";
  switch (typeof json) {
    case "string":
      return `"${json.length > 60 ? json.slice(0, 57) + "..." : json}"`;
    case "number":
    case "boolean":
      return `${typeof json} ${json}`;
    case "object":
      return "an object";
    default:
      return typeof json;
  }
}

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

function parseInteger(ctx: Context, type: string, json: unknown, path: string): unknown {
  let value: bigint;
  if (typeof json === "number" && Number.isInteger(json)) value = BigInt(json);
  else if (typeof json === "string" && /^-?\d+$/.test(json)) value = BigInt(json);
  else if (typeof json === "string" && /^-?\d+(\.\d+)?[eE][+-]?\d+$/.test(json)) {
    const n = Number(json);
    if (!Number.isInteger(n)) {
      return report(ctx, path, `Expected an integer: got ${describe(json)}`);
    }
    value = BigInt(n);
  } else return report(ctx, path, `Expected an integer (${type}): got ${describe(json)}`);
  const [min, max] = INT_RANGES[type];
  if (value < min || value > max) {
    return report(ctx, path, `Integer ${describe(json)} is out of range for ${type}`);
  }
  return type.endsWith("64") ? value.toString() : Number(value);
}

function parseFloating(ctx: Context, type: string, json: unknown, path: string): unknown {
  let n: number;
  if (typeof json === "number") n = json;
  else if (json === "NaN") return NaN;
  else if (json === "Infinity") return Infinity;
  else if (json === "-Infinity") return -Infinity;
  else if (typeof json === "string" && json.trim() !== "" && json.trim() === json) n = Number(json);
  else return report(ctx, path, `Expected a number (${type}): got ${describe(json)}`);
  if (!Number.isFinite(n)) {
    return report(ctx, path, `Expected a number (${type}): got ${describe(json)}`);
  }
  if (type === "float" && Math.abs(n) > 3.4028234663852886e38) {
    return report(ctx, path, `Number ${describe(json)} is out of range for float`);
  }
  return n;
}

function parseBytes(ctx: Context, json: unknown, path: string): unknown {
  if (typeof json !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(json)) {
    return report(ctx, path, `Expected base64 bytes: got ${describe(json)}`);
  }
  const std = json.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  if (std.length % 4 === 1) return report(ctx, path, `Invalid base64 ${describe(json)}`);
  const padded = std + "=".repeat((4 - (std.length % 4)) % 4);
  const raw = atob(padded);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Parses a scalar field value of protobuf type `type` (`int32`, `string`, `bytes`, ...). */
export function parseScalar(ctx: Context, type: string, json: unknown, path: string): unknown {
  switch (type) {
    case "string":
      return typeof json === "string"
        ? json
        : report(ctx, path, `Expected a string: got ${describe(json)}`);
    case "bool":
      return typeof json === "boolean"
        ? json
        : report(ctx, path, `Expected a boolean: got ${describe(json)}`);
    case "double":
    case "float":
      return parseFloating(ctx, type, json, path);
    case "bytes":
      return parseBytes(ctx, json, path);
    default:
      if (type in INT_RANGES) return parseInteger(ctx, type, json, path);
      return report(ctx, path, `Cannot decode a field of unsupported type "${type}"`);
  }
}

/** Parses an enum value given by name or number; returns the number. */
export function parseEnum(
  ctx: Context,
  enumType: protobuf.Enum,
  json: unknown,
  path: string,
): number | undefined {
  const name = enumType.fullName.replace(/^\./, "");
  if (typeof json === "string") {
    if (Object.hasOwn(enumType.values, json)) return enumType.values[json];
    return report(ctx, path, `Unknown value "${json}" for enum ${name}`);
  }
  if (typeof json === "number" && Number.isInteger(json) && Math.abs(json) < 2 ** 31) return json;
  return report(ctx, path, `Expected an enum name or number for ${name}: got ${describe(json)}`);
}

/** Parses a map key (always a JSON string) into the key type's plain value. */
export function parseMapKey(ctx: Context, keyType: string, key: string, path: string): unknown {
  if (keyType === "string") return key;
  if (keyType === "bool") {
    if (key === "true" || key === "false") return key === "true";
    return report(ctx, path, `Expected map key "true" or "false": got "${key}"`);
  }
  return parseInteger(ctx, keyType, key, path);
}
