/**
 * Reads brpc's `RpcMeta` (`brpc/policy/baidu_rpc_meta.proto`) straight from the frame bytes:
 * the request's service and method, the response's error code and text, `correlation_id`
 * and the `user_fields` map, as byte ranges. Unknown fields are skipped; nothing is copied
 * and nothing throws: the first problem is returned with its absolute offset.
 *
 * Field numbers: `RpcMeta` request=1, response=2, correlation_id=4, user_fields=9;
 * `RpcRequestMeta` service_name=1, method_name=2; `RpcResponseMeta` error_code=1,
 * error_text=2.
 *
 * @module
 */

/** What a proxy needs from an `RpcMeta`. Ranges are absolute offsets into the frame. */
export interface MetaFacts {
  hasRequest: boolean;
  hasResponse: boolean;
  serviceStart: number;
  serviceEnd: number;
  methodStart: number;
  methodEnd: number;
  /** `RpcResponseMeta.error_code` (int32), 0 when absent. */
  errorCode: number;
  errorTextStart: number;
  errorTextEnd: number;
  /** `correlation_id` as an unsigned 64-bit number, 0n when absent. */
  correlationId: bigint;
  /** Where the correlation_id varint lies (its value bytes), -1 when absent. */
  idStart: number;
  idEnd: number;
  /** `user_fields` entries as `[keyStart, keyEnd, valueStart, valueEnd]` groups. */
  userFields: number[];
}

/** The outcome of {@link readMeta}. */
export type MetaResult =
  | { readonly ok: true; readonly facts: MetaFacts }
  | { readonly ok: false; readonly reason: string; readonly offset: number };

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** A cursor that records its first problem instead of throwing. */
class Cursor {
  error: string | undefined;
  errorAt = 0;
  constructor(readonly buf: Uint8Array, public pos: number, public end: number) {}

  fail(reason: string, at: number): void {
    if (this.error === undefined) [this.error, this.errorAt] = [reason, at];
    this.pos = this.end;
  }

  more(): boolean {
    return this.error === undefined && this.pos < this.end;
  }

  /** A varint's low 32 bits (unsigned); its high bits are in {@link high}. */
  varint(): number {
    const { buf, end } = this;
    const start = this.pos;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      const at = start + i;
      if (at >= end) {
        this.fail("varint runs past the end of the RpcMeta", start);
        return 0;
      }
      const b = buf[at];
      if (i < 4) low |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        low |= (b & 0x0f) << 28;
        high = (b & 0x7f) >>> 4;
      } else high |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = at + 1;
        this.high = high >>> 0;
        return low >>> 0;
      }
    }
    this.fail("varint is longer than 10 bytes", start);
    return 0;
  }
  high = 0;

  /** A length prefix, checked against the bytes left. */
  length(): number {
    const at = this.pos;
    const n = this.varint();
    if (this.error === undefined && (this.high !== 0 || n > this.end - this.pos)) {
      this.fail(`length ${n} runs past the end of the RpcMeta`, at);
      return 0;
    }
    return n;
  }

  skip(wireType: number, field: number, at: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LEN) this.pos += this.length();
    else if (wireType === I64 || wireType === I32) {
      const n = wireType === I64 ? 8 : 4;
      if (this.end - this.pos < n) this.fail(`field ${field} runs past the end`, at);
      else this.pos += n;
    } else this.fail(`field ${field} has unsupported wire type ${wireType}`, at);
  }
}

/** Reads `buf[start, end)` as an `RpcMeta`. */
export function readMeta(buf: Uint8Array, start: number, end: number): MetaResult {
  const facts: MetaFacts = {
    hasRequest: false,
    hasResponse: false,
    serviceStart: 0,
    serviceEnd: 0,
    methodStart: 0,
    methodEnd: 0,
    errorCode: 0,
    errorTextStart: 0,
    errorTextEnd: 0,
    correlationId: 0n,
    idStart: -1,
    idEnd: -1,
    userFields: [],
  };
  const c = new Cursor(buf, start, end);
  while (c.more()) {
    const at = c.pos;
    const tag = c.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0 && c.error === undefined) c.fail("field number 0 is not allowed", at);
    else if (field === 4 && wt === VARINT) {
      facts.idStart = c.pos;
      const low = c.varint();
      facts.idEnd = c.pos;
      facts.correlationId = (BigInt(c.high) << 32n) | BigInt(low);
    } else if ((field === 1 || field === 2 || field === 9) && wt === LEN) {
      const len = c.length();
      const to = c.pos + len;
      const outer = c.end;
      c.end = to;
      if (field === 1) readRequest(c, facts);
      else if (field === 2) readResponse(c, facts);
      else readUserField(c, facts);
      c.end = outer;
      if (c.error === undefined) c.pos = to;
    } else if (field === 1 || field === 2 || field === 4 || field === 9) {
      c.fail(`RpcMeta field ${field} has wire type ${wt}`, at);
    } else c.skip(wt, field, at);
  }
  if (c.error !== undefined) {
    return { ok: false, reason: `RpcMeta is malformed: ${c.error}`, offset: c.errorAt };
  }
  return { ok: true, facts };
}

function readRequest(c: Cursor, facts: MetaFacts): void {
  facts.hasRequest = true;
  while (c.more()) {
    const at = c.pos;
    const tag = c.varint();
    if (tag === 0x0a || tag === 0x12) {
      const len = c.length();
      if (tag === 0x0a) [facts.serviceStart, facts.serviceEnd] = [c.pos, c.pos + len];
      else [facts.methodStart, facts.methodEnd] = [c.pos, c.pos + len];
      c.pos += len;
    } else c.skip(tag & 7, tag >>> 3, at);
  }
}

function readResponse(c: Cursor, facts: MetaFacts): void {
  facts.hasResponse = true;
  while (c.more()) {
    const at = c.pos;
    const tag = c.varint();
    if (tag === 0x08) facts.errorCode = c.varint() | 0;
    else if (tag === 0x12) {
      const len = c.length();
      [facts.errorTextStart, facts.errorTextEnd] = [c.pos, c.pos + len];
      c.pos += len;
    } else c.skip(tag & 7, tag >>> 3, at);
  }
}

function readUserField(c: Cursor, facts: MetaFacts): void {
  let [ks, ke, vs, ve] = [c.pos, c.pos, c.pos, c.pos];
  while (c.more()) {
    const at = c.pos;
    const tag = c.varint();
    if (tag === 0x0a || tag === 0x12) {
      const len = c.length();
      if (tag === 0x0a) [ks, ke] = [c.pos, c.pos + len];
      else [vs, ve] = [c.pos, c.pos + len];
      c.pos += len;
    } else c.skip(tag & 7, tag >>> 3, at);
  }
  if (c.error === undefined) facts.userFields.push(ks, ke, vs, ve);
}
