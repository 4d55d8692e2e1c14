/**
 * Reads the protobuf headers of tRPC frames (`proto/trpc.proto`) straight from the frame
 * bytes: the few numbers a proxy needs, and where the routable strings are (decoded later,
 * on use, by `HeaderMetadata`). Unknown fields are skipped; nothing is copied.
 *
 * @module
 */
import { HEADER_FIELDS, type MetadataRanges } from "./_metadata.ts";
import { LEN, VARINT, WireReader } from "./_wire.ts";

/** The numbers a proxy needs from a tRPC header (0 when absent) and its string ranges. */
export interface HeaderFacts extends MetadataRanges {
  requestId: number;
  callType: number;
  ret: number;
  funcRet: number;
  closeType: number;
}

type NumberSlot = "requestId" | "callType" | "ret" | "funcRet" | "closeType";

const NUM = 0;
const STR = 1;
const MAP = 2;
const MSG = 3;

/**
 * How one field is read: a number into a slot, a string into metadata, a trans_info map
 * entry, or a nested message. Every rule has the same shape so the hot loop stays monomorphic.
 */
interface FieldRule {
  readonly kind: typeof NUM | typeof STR | typeof MAP | typeof MSG;
  readonly slot: NumberSlot;
  readonly signed: boolean;
  /** Index in {@link HEADER_FIELDS} of a string field. */
  readonly field: number;
  readonly message: HeaderSpec | undefined;
}

function rule(kind: FieldRule["kind"], more: Partial<FieldRule> = {}): FieldRule {
  return { kind, slot: "requestId", signed: false, field: -1, message: undefined, ...more };
}
const num = (slot: NumberSlot, signed = false) => rule(NUM, { slot, signed });
const str = (name: typeof HEADER_FIELDS[number]) =>
  rule(STR, { field: HEADER_FIELDS.indexOf(name) });
const msg = (message: HeaderSpec) => rule(MSG, { message });

/** A message's name (for error messages) and the rules of the fields we read. */
export interface HeaderSpec {
  readonly name: string;
  /** Rules by field number. */
  readonly fields: readonly (FieldRule | undefined)[];
  /** String fields always present in metadata ("" when absent, as proto3 omits empty). */
  readonly always: readonly string[];
}

function spec(name: string, rules: Record<number, FieldRule>, always: readonly string[] = []) {
  const fields: (FieldRule | undefined)[] = [];
  for (const [n, r] of Object.entries(rules)) fields[Number(n)] = r;
  for (let i = 0; i < fields.length; i++) fields[i] ??= undefined;
  return { name, fields, always };
}

const ROUTING = ["caller", "callee", "func"] as const;
const NONE: readonly string[] = [];

/** `trpc.RequestProtocol`. */
export const REQUEST_PROTOCOL: HeaderSpec = spec("RequestProtocol", {
  2: num("callType"),
  3: num("requestId"),
  5: str("caller"),
  6: str("callee"),
  7: str("func"),
  9: rule(MAP),
}, ROUTING);

/** `trpc.ResponseProtocol`. */
export const RESPONSE_PROTOCOL: HeaderSpec = spec("ResponseProtocol", {
  2: num("callType"),
  3: num("requestId"),
  4: num("ret", true),
  5: num("funcRet", true),
  6: str("error_msg"),
  8: rule(MAP),
});

/** `trpc.TrpcStreamInitMeta` with its request and response halves. */
export const STREAM_INIT_META: HeaderSpec = spec("TrpcStreamInitMeta", {
  1: msg(spec("TrpcStreamInitRequestMeta", {
    1: str("caller"),
    2: str("callee"),
    3: str("func"),
    5: rule(MAP),
  }, ROUTING)),
  2: msg(spec("TrpcStreamInitResponseMeta", { 1: num("ret", true), 2: str("error_msg") })),
});

/** `trpc.TrpcStreamCloseMeta`. */
export const STREAM_CLOSE_META: HeaderSpec = spec("TrpcStreamCloseMeta", {
  1: num("closeType", true),
  2: num("ret", true),
  3: str("error_msg"),
  5: rule(MAP),
  6: num("funcRet", true),
});

/** The outcome of {@link readHeader}: the facts, or a problem at an absolute offset. */
export type HeaderResult =
  | { readonly ok: true; readonly facts: HeaderFacts }
  | { readonly ok: false; readonly reason: string; readonly offset: number };

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
    always: NONE,
    named: [],
    entries: [],
  };
  const r = new WireReader(buf, start, end);
  readFields(r, spec, facts, 0);
  if (r.error !== undefined) {
    return { ok: false, reason: `${spec.name} is malformed: ${r.error}`, offset: r.errorAt };
  }
  return { ok: true, facts };
}

function readFields(r: WireReader, spec: HeaderSpec, facts: HeaderFacts, depth: number): void {
  if (spec.always.length > 0) facts.always = spec.always;
  while (r.more()) {
    const at = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const wt = tag & 7;
    const rule = field < spec.fields.length ? spec.fields[field] : undefined;
    if (rule === undefined) {
      r.skip(wt, field, at);
      continue;
    }
    const want = rule.kind === NUM ? VARINT : LEN;
    if (wt !== want) {
      r.fail(`${spec.name} field ${field} has wire type ${wt}, expected ${want}`, at);
      return;
    }
    if (rule.kind === NUM) {
      const n = r.varint();
      facts[rule.slot] = rule.signed ? n | 0 : n;
      continue;
    }
    const len = r.length();
    const from = r.pos;
    const to = from + len;
    if (rule.kind === STR) facts.named.push(rule.field, from, to);
    else if (rule.kind === MAP) readEntry(r, to, facts.entries);
    else if (depth === 0 && rule.message !== undefined) {
      const outer = r.end;
      r.end = to;
      readFields(r, rule.message, facts, depth + 1);
      r.end = outer;
    }
    if (r.error === undefined) r.pos = to;
  }
}

/**
 * Records the key and value ranges of one `map<string, bytes>` entry (from `r.pos` to
 * `end`), reusing the reader: nothing is allocated.
 */
function readEntry(r: WireReader, end: number, entries: number[]) {
  const outer = r.end;
  r.end = end;
  let keyStart = 0;
  let keyEnd = 0;
  let valueStart = 0;
  let valueEnd = 0;
  while (r.more()) {
    const at = r.pos;
    const tag = r.tag();
    if ((tag === 0x0a || tag === 0x12)) {
      const len = r.length();
      if (tag === 0x0a) [keyStart, keyEnd] = [r.pos, r.pos + len];
      else [valueStart, valueEnd] = [r.pos, r.pos + len];
      r.pos += len;
    } else r.skip(tag & 7, tag >>> 3, at);
  }
  r.end = outer;
  if (r.error !== undefined) {
    r.error = `trans_info entry is malformed: ${r.error}`;
    return;
  }
  entries.push(keyStart, keyEnd, valueStart, valueEnd);
}

/**
 * Finds the key and value ranges of a `map<string, bytes>` entry in `buf[start, end)`, or
 * `undefined` when the entry is malformed.
 */
export function entryRanges(
  buf: Uint8Array,
  start: number,
  end: number,
): { keyStart: number; keyEnd: number; valueStart: number; valueEnd: number } | undefined {
  const ranges: number[] = [];
  const r = new WireReader(buf, start, end);
  readEntry(r, end, ranges);
  if (r.error !== undefined) return undefined;
  const [keyStart, keyEnd, valueStart, valueEnd] = ranges;
  return { keyStart, keyEnd, valueStart, valueEnd };
}
