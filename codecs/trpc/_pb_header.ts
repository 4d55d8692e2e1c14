/**
 * Reads the protobuf headers of tRPC frames (`proto/trpc.proto`) straight from the frame
 * bytes: routable strings go into a metadata map, the few numbers a proxy needs into
 * {@link HeaderFacts}. Unknown fields are skipped; nothing is copied except the strings.
 *
 * @module
 */
import { LEN, utf8, VARINT, WireReader } from "./_wire.ts";

/** The numbers a proxy needs from a tRPC header; 0 when the field is absent. */
export interface HeaderFacts {
  requestId: number;
  callType: number;
  ret: number;
  funcRet: number;
  closeType: number;
  /** The `func` field (the operation name), or "". */
  func: string;
  /** Routable strings; keys lower-cased. */
  readonly metadata: Map<string, string>;
}

type NumberSlot = "requestId" | "callType" | "ret" | "funcRet" | "closeType";

/** How one field is read: a number into a slot, a string into metadata, a map, a message. */
type FieldRule =
  | { readonly num: NumberSlot; readonly signed?: true }
  | { readonly str: string }
  | { readonly transInfo: true }
  | { readonly message: HeaderSpec };

/** A message's name (for error messages) and the rules of the fields we read. */
export interface HeaderSpec {
  readonly name: string;
  readonly fields: Readonly<Record<number, FieldRule>>;
  /** String fields always present in metadata ("" when absent, as proto3 omits empty). */
  readonly always?: readonly string[];
}

const ROUTING = ["caller", "callee", "func"] as const;

/** `trpc.RequestProtocol`. */
export const REQUEST_PROTOCOL: HeaderSpec = {
  name: "RequestProtocol",
  always: ROUTING,
  fields: {
    2: { num: "callType" },
    3: { num: "requestId" },
    5: { str: "caller" },
    6: { str: "callee" },
    7: { str: "func" },
    9: { transInfo: true },
  },
};

/** `trpc.ResponseProtocol`. */
export const RESPONSE_PROTOCOL: HeaderSpec = {
  name: "ResponseProtocol",
  fields: {
    2: { num: "callType" },
    3: { num: "requestId" },
    4: { num: "ret", signed: true },
    5: { num: "funcRet", signed: true },
    6: { str: "error_msg" },
    8: { transInfo: true },
  },
};

/** `trpc.TrpcStreamInitMeta` with its request and response halves. */
export const STREAM_INIT_META: HeaderSpec = {
  name: "TrpcStreamInitMeta",
  fields: {
    1: {
      message: {
        name: "TrpcStreamInitRequestMeta",
        always: ROUTING,
        fields: {
          1: { str: "caller" },
          2: { str: "callee" },
          3: { str: "func" },
          5: { transInfo: true },
        },
      },
    },
    2: {
      message: {
        name: "TrpcStreamInitResponseMeta",
        fields: { 1: { num: "ret", signed: true }, 2: { str: "error_msg" } },
      },
    },
  },
};

/** `trpc.TrpcStreamCloseMeta`. */
export const STREAM_CLOSE_META: HeaderSpec = {
  name: "TrpcStreamCloseMeta",
  fields: {
    1: { num: "closeType", signed: true },
    2: { num: "ret", signed: true },
    3: { str: "error_msg" },
    5: { transInfo: true },
    6: { num: "funcRet", signed: true },
  },
};

/** The outcome of {@link readHeader}: the facts, or a problem at an absolute offset. */
export type HeaderResult =
  | { readonly ok: true; readonly facts: HeaderFacts }
  | { readonly ok: false; readonly reason: string; readonly offset: number };

/**
 * Names of header fields. A `trans_info` entry with one of these keys is ignored, so a
 * client cannot spoof `func` (or hide the real one) through trans_info.
 */
export const HEADER_FIELD_NAMES: ReadonlySet<string> = new Set([
  "caller",
  "callee",
  "func",
  "error_msg",
]);

/** Reads `buf[start, end)` as the message `spec` describes. */
export function readHeader(
  buf: Uint8Array,
  start: number,
  end: number,
  spec: HeaderSpec,
): HeaderResult {
  const facts: HeaderFacts = {
    requestId: 0,
    callType: 0,
    ret: 0,
    funcRet: 0,
    closeType: 0,
    func: "",
    metadata: new Map(),
  };
  const r = new WireReader(buf, start, end);
  readFields(r, spec, facts, 0);
  if (r.error !== undefined) {
    return { ok: false, reason: `${spec.name} is malformed: ${r.error}`, offset: r.errorAt };
  }
  return { ok: true, facts };
}

function readFields(r: WireReader, spec: HeaderSpec, facts: HeaderFacts, depth: number): void {
  for (const key of spec.always ?? []) facts.metadata.set(key, "");
  while (r.more()) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    const rule = spec.fields[field];
    if (rule === undefined) {
      r.skip(wt, field, at);
      continue;
    }
    const want = "num" in rule ? VARINT : LEN;
    if (wt !== want) {
      r.fail(`${spec.name} field ${field} has wire type ${wt}, expected ${want}`, at);
      return;
    }
    if ("num" in rule) {
      const n = r.varint();
      facts[rule.num] = rule.signed ? n | 0 : n;
      continue;
    }
    const len = r.length();
    const from = r.pos;
    r.pos += len;
    if ("str" in rule) readString(r.buf, from, from + len, rule.str, facts);
    else if ("transInfo" in rule) readEntry(r, from, from + len, facts.metadata);
    else if (depth === 0) {
      const sub = new WireReader(r.buf, from, from + len);
      readFields(sub, rule.message, facts, depth + 1);
      if (sub.error !== undefined) r.fail(sub.error, sub.errorAt);
    }
  }
}

function readString(buf: Uint8Array, start: number, end: number, key: string, f: HeaderFacts) {
  const value = utf8(buf, start, end);
  if (key === "func") f.func = value;
  // An empty error text is no error text; every other named field is always present.
  if (value !== "" || key !== "error_msg") f.metadata.set(key, value);
}

/** Reads one `map<string, bytes>` entry into `metadata` with its key lower-cased. */
function readEntry(r: WireReader, start: number, end: number, metadata: Map<string, string>) {
  const e = new WireReader(r.buf, start, end);
  let key = "";
  let value = "";
  while (e.more()) {
    const at = e.pos;
    const tag = e.tag();
    const field = tag >>> 3;
    if ((field === 1 || field === 2) && (tag & 7) === LEN) {
      const len = e.length();
      const text = utf8(e.buf, e.pos, e.pos + len);
      e.pos += len;
      if (field === 1) key = text;
      else value = text;
    } else e.skip(tag & 7, field, at);
  }
  if (e.error !== undefined) r.fail(`trans_info entry is malformed: ${e.error}`, e.errorAt);
  else {
    const lower = key.toLowerCase();
    if (!HEADER_FIELD_NAMES.has(lower)) metadata.set(lower, value);
  }
}

/**
 * Finds the key of a `map<string, bytes>` entry in `buf[start, end)` and its value range.
 * Returns `undefined` when the entry is malformed.
 */
export function entryKeyAndValue(
  buf: Uint8Array,
  start: number,
  end: number,
): { key: string; valueStart: number; valueEnd: number } | undefined {
  const e = new WireReader(buf, start, end);
  let key = "";
  let valueStart = 0;
  let valueEnd = 0;
  while (e.more()) {
    const at = e.pos;
    const tag = e.tag();
    if ((tag >>> 3 === 1 || tag >>> 3 === 2) && (tag & 7) === LEN) {
      const len = e.length();
      if (tag >>> 3 === 1) key = utf8(buf, e.pos, e.pos + len);
      else [valueStart, valueEnd] = [e.pos, e.pos + len];
      e.pos += len;
    } else e.skip(tag & 7, tag >>> 3, at);
  }
  return e.error === undefined ? { key, valueStart, valueEnd } : undefined;
}
