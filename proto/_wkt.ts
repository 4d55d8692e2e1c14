/**
 * proto3 JSON forms of the Google well-known types that are not plain objects: Duration
 * (`"1.5s"`), Timestamp (RFC 3339), FieldMask (`"a.b,c"`), Struct / Value / ListValue (any
 * JSON) and the wrappers (a bare scalar). Any is handled by the message walker, because it
 * recurses into another type.
 *
 * @module
 */
import { type Context, describe, joinPath, parseScalar, report } from "./_scalar.ts";

/** Parses a JSON value of a well-known type into its protobufjs plain form. */
export type WellKnownParser = (ctx: Context, json: unknown, path: string) => unknown;

const MAX_SECONDS = 315_576_000_000;

function nanosOf(fraction: string | undefined): number {
  return fraction ? Number(fraction.slice(1).padEnd(9, "0")) : 0;
}

function parseDuration(ctx: Context, json: unknown, path: string): unknown {
  const m = typeof json === "string" ? /^(-)?(\d+)(\.\d{1,9})?s$/.exec(json) : null;
  if (!m) {
    return report(ctx, path, `Invalid duration ${describe(json)}: expected seconds like "1.5s"`);
  }
  const seconds = Number(m[2]);
  if (seconds > MAX_SECONDS) return report(ctx, path, `Duration ${describe(json)} is out of range`);
  const sign = m[1] ? -1 : 1;
  const nanos = nanosOf(m[3]);
  return { seconds: sign * seconds || 0, nanos: sign * nanos || 0 };
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function parseTimestamp(ctx: Context, json: unknown, path: string): unknown {
  const m = typeof json === "string" ? RFC3339.exec(json) : null;
  const bad = () =>
    report(
      ctx,
      path,
      `Invalid timestamp ${describe(json)}: expected RFC 3339 like "2024-01-02T03:04:05Z"`,
    );
  if (!m) return bad();
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  // setUTCFullYear, unlike Date.UTC, keeps years 1-99 as they are.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  if (y < 1 || date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return bad();
  if (h > 23 || mi > 59 || s > 59) return bad();
  const ms = date.getTime();
  const offset = m[9] ? (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) * 60 : 0;
  const seconds = Math.floor(ms / 1000) - offset;
  return { seconds, nanos: nanosOf(m[7]) };
}

function parseFieldMask(ctx: Context, json: unknown, path: string): unknown {
  if (typeof json !== "string") {
    return report(ctx, path, `Expected a field mask string like "a.b,c": got ${describe(json)}`);
  }
  const paths = json === "" ? [] : json.split(",");
  for (const p of paths) {
    if (!/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/.test(p)) {
      return report(ctx, path, `Invalid field mask path "${p}": expected lowerCamelCase names`);
    }
  }
  return { paths: paths.map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) };
}

/** Parses any JSON value into a google.protobuf.Value plain object. */
export function parseValue(ctx: Context, json: unknown, path: string): unknown {
  if (json === null) return { nullValue: 0 };
  switch (typeof json) {
    case "string":
      return { stringValue: json };
    case "boolean":
      return { boolValue: json };
    case "number":
      return Number.isFinite(json)
        ? { numberValue: json }
        : report(ctx, path, `Expected a finite number: got ${describe(json)}`);
    case "object":
      return Array.isArray(json)
        ? { listValue: parseListValue(ctx, json, path) }
        : { structValue: parseStruct(ctx, json, path) };
    default:
      return report(ctx, path, `Expected a JSON value: got ${describe(json)}`);
  }
}

/** Parses a JSON object into a google.protobuf.Struct plain object. */
export function parseStruct(ctx: Context, json: unknown, path: string): unknown {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return report(ctx, path, `Expected an object (google.protobuf.Struct): got ${describe(json)}`);
  }
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) fields[k] = parseValue(ctx, v, joinPath(path, k));
  return { fields };
}

function parseListValue(ctx: Context, json: unknown, path: string): unknown {
  if (!Array.isArray(json)) {
    return report(
      ctx,
      path,
      `Expected an array (google.protobuf.ListValue): got ${describe(json)}`,
    );
  }
  return { values: json.map((v, i) => parseValue(ctx, v, `${path}[${i}]`)) };
}

function wrapper(scalar: string, name: string): WellKnownParser {
  return (ctx, json, path) => {
    if (json !== null && typeof json === "object") {
      return report(ctx, path, `Expected a bare ${scalar} (${name}): got ${describe(json)}`);
    }
    const value = parseScalar(ctx, scalar, json, path);
    return value === undefined ? undefined : { value };
  };
}

/** Parsers for the well-known types whose JSON is not an object of their fields. */
export const WELL_KNOWN: ReadonlyMap<string, WellKnownParser> = new Map([
  [".google.protobuf.Duration", parseDuration],
  [".google.protobuf.Timestamp", parseTimestamp],
  [".google.protobuf.FieldMask", parseFieldMask],
  [".google.protobuf.Struct", parseStruct],
  [".google.protobuf.Value", parseValue],
  [".google.protobuf.ListValue", parseListValue],
  [".google.protobuf.DoubleValue", wrapper("double", "google.protobuf.DoubleValue")],
  [".google.protobuf.FloatValue", wrapper("float", "google.protobuf.FloatValue")],
  [".google.protobuf.Int64Value", wrapper("int64", "google.protobuf.Int64Value")],
  [".google.protobuf.UInt64Value", wrapper("uint64", "google.protobuf.UInt64Value")],
  [".google.protobuf.Int32Value", wrapper("int32", "google.protobuf.Int32Value")],
  [".google.protobuf.UInt32Value", wrapper("uint32", "google.protobuf.UInt32Value")],
  [".google.protobuf.BoolValue", wrapper("bool", "google.protobuf.BoolValue")],
  [".google.protobuf.StringValue", wrapper("string", "google.protobuf.StringValue")],
  [".google.protobuf.BytesValue", wrapper("bytes", "google.protobuf.BytesValue")],
]);
