/**
 * The tracing decision and the B3 context of one request (data-plane spec §6.3), as Envoy's
 * connection manager makes them: the trace status packed into the `x-request-id` UUID, the
 * client / forced / random / overall sampling percentages applied to the id's first 32 bits,
 * and `x-b3-*` headers for the span this hop opens, to go into the request's mutation.
 *
 * @module
 */

/** Why a request is traced, as packed into its `x-request-id` (Envoy's UUID convention). */
export type TraceStatus = "none" | "forced" | "sampled" | "client";

const STATUS_CHAR: Readonly<Record<TraceStatus, string>> = {
  none: "4",
  forced: "a",
  sampled: "9",
  client: "b",
};
const CHAR_STATUS = new Map(Object.entries(STATUS_CHAR).map(([s, c]) => [c, s as TraceStatus]));
/** Where Envoy packs the status: the UUID's version nibble. */
const STATUS_AT = 14;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The sampling percentages of a listener's `tracing` block, 0–100 each. */
export interface TraceSampling {
  readonly clientSampling: number;
  readonly randomSampling: number;
  readonly overallSampling: number;
}

/**
 * The status packed into `requestId`, or `undefined` when it is not a UUID (then no status
 * can be packed and the request is not traced, as in Envoy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceStatusOf } from "./trace_context.ts";
 * assert.equal(traceStatusOf("1b2c3d4e-0000-9000-8000-000000000000"), "sampled");
 * assert.equal(traceStatusOf("not-a-uuid"), undefined);
 * ```
 */
export function traceStatusOf(requestId: string): TraceStatus | undefined {
  if (!UUID.test(requestId)) return undefined;
  return CHAR_STATUS.get(requestId[STATUS_AT].toLowerCase()) ?? "none";
}

/** `uuid` with `status` packed into it. */
export function withTraceStatus(uuid: string, status: TraceStatus): string {
  return uuid.slice(0, STATUS_AT) + STATUS_CHAR[status] + uuid.slice(STATUS_AT + 1);
}

/** Whether a percentage (0–100, in steps of 0.01) admits the sample `r` in [0, 10000). */
function admits(percent: number, r: number): boolean {
  return r < Math.round(percent * 100);
}

/**
 * Decides whether a request is traced and returns its id with the decision packed in.
 * `random` (in [0, 1)) only feeds the client-sampling draw; random and overall sampling use
 * the id's first 32 bits modulo 10,000, so every hop of one request decides alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decideTrace } from "./trace_context.ts";
 * const all = { clientSampling: 100, randomSampling: 100, overallSampling: 100 };
 * const d = decideTrace(all, "00000001-0000-4000-8000-000000000000", new Map(), 0.5);
 * assert.deepEqual(d, { requestId: "00000001-0000-9000-8000-000000000000", traced: true });
 * const none = { ...all, overallSampling: 0 };
 * assert.equal(decideTrace(none, d.requestId, new Map(), 0.5).traced, false);
 * ```
 */
export function decideTrace(
  sampling: TraceSampling,
  requestId: string,
  metadata: ReadonlyMap<string, string>,
  random: number,
): { readonly requestId: string; readonly traced: boolean } {
  let status = traceStatusOf(requestId);
  if (status === undefined) return { requestId, traced: false };
  const r = Number.parseInt(requestId.slice(0, 8), 16) % 10000;
  if (status === "none") {
    if (
      metadata.get("x-client-trace-id") && admits(sampling.clientSampling, random * 10000)
    ) status = "client";
    else if (metadata.get("x-envoy-force-trace") !== undefined) status = "forced";
    else if (admits(sampling.randomSampling, r)) status = "sampled";
  }
  if (!admits(sampling.overallSampling, r)) status = "none";
  return { requestId: withTraceStatus(requestId, status), traced: status !== "none" };
}

/** The span a hop opens for one request. */
export interface SpanContext {
  /** 16 or 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly spanId: string;
  /** The caller's span, when the request carried one. */
  readonly parentId?: string;
  /** Whether the span is reported (and the callee told to report its own). */
  readonly sampled: boolean;
}

const HEX16 = /^[0-9a-f]{16}$/;
const HEX_TRACE = /^([0-9a-f]{16}|[0-9a-f]{32})$/;

/** 16 random lowercase hex digits, never all zero. */
export function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  b[0] |= 1;
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function sampledHeader(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return v === "1" || v === "true" || v === "d";
}

/**
 * The span for a request with `metadata`: a child of the caller's B3 span when the request
 * carries a valid one (its `x-b3-sampled`, when present, wins over `traced`), else the root of
 * a new trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startSpan } from "./trace_context.ts";
 * const parent = new Map([
 *   ["x-b3-traceid", "463ac35c9f6413ad"],
 *   ["x-b3-spanid", "a2fb4a1d1a96d312"],
 * ]);
 * const span = startSpan(parent, true, false);
 * assert.equal(span.traceId, "463ac35c9f6413ad");
 * assert.equal(span.parentId, "a2fb4a1d1a96d312");
 * assert.equal(span.sampled, true);
 * ```
 */
export function startSpan(
  metadata: ReadonlyMap<string, string>,
  traced: boolean,
  traceId128bit: boolean,
): SpanContext {
  const traceId = metadata.get("x-b3-traceid")?.toLowerCase();
  const parentId = metadata.get("x-b3-spanid")?.toLowerCase();
  const sampled = sampledHeader(metadata.get("x-b3-sampled")?.toLowerCase()) ?? traced;
  if (traceId && HEX_TRACE.test(traceId) && parentId && HEX16.test(parentId)) {
    return { traceId, spanId: randomId(), parentId, sampled };
  }
  return {
    traceId: traceId128bit ? randomId() + randomId() : randomId(),
    spanId: randomId(),
    sampled,
  };
}

/** The B3 headers that tell the callee about `span`. */
export function b3Headers(span: SpanContext): [string, string][] {
  const out: [string, string][] = [
    ["x-b3-traceid", span.traceId],
    ["x-b3-spanid", span.spanId],
    ["x-b3-sampled", span.sampled ? "1" : "0"],
  ];
  if (span.parentId) out.push(["x-b3-parentspanid", span.parentId]);
  return out;
}

/** The span carried by a request's mutation (see {@link b3Headers}), if any. */
export function spanOf(mutation: ReadonlyMap<string, string>): SpanContext | undefined {
  const traceId = mutation.get("x-b3-traceid"), spanId = mutation.get("x-b3-spanid");
  if (!traceId || !spanId) return undefined;
  const parentId = mutation.get("x-b3-parentspanid");
  return {
    traceId,
    spanId,
    ...(parentId ? { parentId } : {}),
    sampled: mutation.get("x-b3-sampled") === "1",
  };
}
