/**
 * Envoy access-log command operators (spec §6.2) over the proxy's {@linkcode AccessLogEntry}:
 * a template is parsed once into literal text and value getters, then each entry is
 * formatted without re-parsing. Missing or empty values print Envoy's `-` (or nothing with
 * `omit_empty_values`); JSON formats keep numbers typed and missing values `null`.
 *
 * @module
 */
import type { AccessLogEntry } from "../config/model.ts";
import type { LogFormat } from "./config.ts";
import { formatTime } from "./_time.ts";

type Value = string | number | undefined;
type Getter = (e: AccessLogEntry) => Value;

/** A parsed format: call it with an entry to get the line (text) or JSON text. */
export type Formatter = (entry: AccessLogEntry) => string;

/** The outcome of {@linkcode compileFormat}. */
export type FormatResult =
  | { readonly ok: true; readonly format: Formatter }
  | { readonly ok: false; readonly message: string };

function nonEmpty(s: string): string | undefined {
  return s === "" ? undefined : s;
}

function withoutPort(addr: string): string | undefined {
  if (addr === "") return undefined;
  const i = addr.lastIndexOf(":");
  const host = i < 0 ? addr : addr.slice(0, i);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function portOf(addr: string): number | undefined {
  const i = addr.lastIndexOf(":");
  const port = i < 0 ? NaN : Number(addr.slice(i + 1));
  return Number.isInteger(port) ? port : undefined;
}

const SIMPLE: Readonly<Record<string, Getter>> = {
  DURATION: (e) => Math.round(e.durationMs),
  BYTES_SENT: (e) => e.bytesSent,
  BYTES_RECEIVED: (e) => e.bytesReceived,
  RESPONSE_CODE: (e) => e.responseCode,
  RESPONSE_CODE_DETAILS: (e) => nonEmpty(e.responseCodeDetails),
  CONNECTION_TERMINATION_DETAILS: (e) => nonEmpty(e.connectionTerminationDetails),
  UPSTREAM_TRANSPORT_FAILURE_REASON: (e) => nonEmpty(e.upstreamTransportFailureReason),
  UPSTREAM_CLUSTER: (e) => nonEmpty(e.upstreamCluster),
  UPSTREAM_HOST: (e) => nonEmpty(e.upstreamHost),
  UPSTREAM_REMOTE_ADDRESS: (e) => nonEmpty(e.upstreamHost),
  UPSTREAM_LOCAL_ADDRESS: (e) => nonEmpty(e.upstreamLocalAddress),
  DOWNSTREAM_LOCAL_ADDRESS: (e) => nonEmpty(e.downstreamLocalAddress),
  DOWNSTREAM_REMOTE_ADDRESS: (e) => nonEmpty(e.downstreamRemoteAddress),
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: (e) => nonEmpty(e.downstreamRemoteAddress),
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: (e) => withoutPort(e.downstreamLocalAddress),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (e) => withoutPort(e.downstreamRemoteAddress),
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: (e) => withoutPort(e.downstreamRemoteAddress),
  DOWNSTREAM_LOCAL_PORT: (e) => portOf(e.downstreamLocalAddress),
  DOWNSTREAM_REMOTE_PORT: (e) => portOf(e.downstreamRemoteAddress),
  ROUTE_NAME: (e) => nonEmpty(e.routeName),
  // HTTP-only operators: MetaProtocol messages have no such values, as in upstream.
  PROTOCOL: () => undefined,
  RESPONSE_FLAGS: () => undefined,
  REQUESTED_SERVER_NAME: () => undefined,
  UPSTREAM_REQUEST_ATTEMPT_COUNT: () => 1,
};

const HEADER = /^(REQ|RESP)\(([^?)]+)(?:\?([^)]+))?\)(?::(\d+))?$/;

function header(op: string): Getter | undefined {
  const m = HEADER.exec(op);
  if (!m) return undefined;
  const [, side, main, alt, max] = m;
  const keys = [main, alt].filter((k) => k !== undefined).map((k) => k.toLowerCase());
  const limit = max === undefined ? undefined : Number(max);
  return (e) => {
    const map = side === "REQ" ? e.requestHeaders : e.responseHeaders;
    for (const k of keys) {
      const v = map?.get(k);
      if (v !== undefined && v !== "") return limit === undefined ? v : v.slice(0, limit);
    }
    return undefined;
  };
}

function operator(op: string): Getter | string {
  if (op in SIMPLE) return SIMPLE[op];
  const h = header(op);
  if (h) return h;
  const t = /^START_TIME(?:\((.*)\))?$/s.exec(op);
  if (t) {
    const spec = t[1];
    return (e) => formatTime(e.startTime, spec);
  }
  if (op === "HOSTNAME") {
    const host = Deno.hostname();
    return () => host;
  }
  return `Cannot format "%${op}%": the operator is not supported`;
}

type Part = string | Getter;

function parse(template: string): Part[] | string {
  const parts: Part[] = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== "%") {
      text += c;
      i++;
      continue;
    }
    if (template[i + 1] === "%") {
      text += "%";
      i += 2;
      continue;
    }
    const end = closing(template, i + 1);
    if (end < 0) return `Cannot parse the format: "%" at offset ${i} is not closed`;
    const g = operator(template.slice(i + 1, end));
    if (typeof g === "string") return g;
    if (text !== "") parts.push(text);
    text = "";
    parts.push(g);
    i = end + 1;
  }
  if (text !== "") parts.push(text);
  return parts;
}

/** Index of the `%` closing an operator that starts at `from`, skipping `(...)` args. */
function closing(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === "%" && depth <= 0) return i;
  }
  return -1;
}

function text(parts: Part[], omitEmpty: boolean): Formatter {
  const dash = omitEmpty ? "" : "-";
  return (e) => {
    let out = "";
    for (const p of parts) {
      if (typeof p === "string") out += p;
      else {
        const v = p(e);
        out += v === undefined ? dash : v;
      }
    }
    return out;
  };
}

type JsonTemplate = (e: AccessLogEntry) => unknown;

function jsonValue(t: unknown, omitEmpty: boolean): JsonTemplate | string {
  if (typeof t === "string") {
    const parts = parse(t);
    if (typeof parts === "string") return parts;
    if (parts.length === 1 && typeof parts[0] === "function") {
      const g = parts[0];
      return (e) => g(e) ?? null;
    }
    const f = text(parts, omitEmpty);
    return (e) => f(e);
  }
  if (t !== null && typeof t === "object" && !Array.isArray(t)) {
    const fields: [string, JsonTemplate][] = [];
    for (const [k, v] of Object.entries(t)) {
      const f = jsonValue(v, omitEmpty);
      if (typeof f === "string") return f;
      fields.push([k, f]);
    }
    return (e) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of fields) {
        const v = f(e);
        if (!(omitEmpty && (v === null || v === ""))) out[k] = v;
      }
      return out;
    };
  }
  return () => t;
}

/**
 * Parses a text or JSON format once; unsupported operators are refused with the operator
 * named, as Envoy refuses them at config load.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFormat } from "./format.ts";
 * const r = compileFormat({ kind: "text", template: "%ROUTE_NAME% %REQ(METHOD)%\n" }, false);
 * assert.ok(r.ok);
 * ```
 */
export function compileFormat(format: LogFormat, omitEmpty: boolean): FormatResult {
  if (format.kind === "text") {
    const parts = parse(format.template);
    if (typeof parts === "string") return { ok: false, message: parts };
    return { ok: true, format: text(parts, omitEmpty) };
  }
  const f = jsonValue(format.template, omitEmpty);
  if (typeof f === "string") return { ok: false, message: f };
  return { ok: true, format: (e) => JSON.stringify(f(e)) + "\n" };
}
