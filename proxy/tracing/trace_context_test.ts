import assert from "node:assert/strict";
import fc from "fast-check";
import {
  b3Headers,
  decideTrace,
  spanOf,
  startSpan,
  traceStatusOf,
  withTraceStatus,
} from "./trace_context.ts";

const ALL = { clientSampling: 100, randomSampling: 100, overallSampling: 100 };
const NONE = new Map<string, string>();

/** A UUID whose first 32 bits are `n` (so `n % 10000` is its sample). */
function uuidWith(n: number): string {
  return `${n.toString(16).padStart(8, "0")}-1111-4111-8111-111111111111`;
}

Deno.test("decideTrace() samples by the request id's first 32 bits modulo 10000, like Envoy", () => {
  const half = { ...ALL, randomSampling: 50 };
  assert.equal(decideTrace(half, uuidWith(4999), NONE, 0).traced, true);
  assert.equal(decideTrace(half, uuidWith(5000), NONE, 0).traced, false);
  assert.equal(decideTrace(half, uuidWith(10000 + 4999), NONE, 0).traced, true);
  const tiny = { ...ALL, randomSampling: 0.01 };
  assert.equal(decideTrace(tiny, uuidWith(0), NONE, 0).traced, true);
  assert.equal(decideTrace(tiny, uuidWith(1), NONE, 0).traced, false);
});

Deno.test("decideTrace() packs the reason into the id, and a later hop keeps it", () => {
  const off = { ...ALL, randomSampling: 0 };
  const forced = decideTrace(off, uuidWith(7), new Map([["x-envoy-force-trace", ""]]), 0);
  assert.equal(traceStatusOf(forced.requestId), "forced");
  assert.equal(forced.traced, true);
  const client = decideTrace(off, uuidWith(7), new Map([["x-client-trace-id", "abc"]]), 0.3);
  assert.equal(traceStatusOf(client.requestId), "client");
  // The next hop samples nothing itself but keeps the packed decision.
  const next = decideTrace(off, client.requestId, NONE, 0.99);
  assert.deepEqual(next, client);
  // Overall sampling overrides every reason.
  const overall = decideTrace({ ...ALL, overallSampling: 0 }, client.requestId, NONE, 0);
  assert.equal(overall.traced, false);
  assert.equal(traceStatusOf(overall.requestId), "none");
});

Deno.test("decideTrace() leaves an id that is not a UUID alone and does not trace it", () => {
  assert.deepEqual(decideTrace(ALL, "req-42", NONE, 0), { requestId: "req-42", traced: false });
});

Deno.test("decideTrace() client sampling draws from `random`, not from the id", () => {
  const quarter = { ...ALL, clientSampling: 25, randomSampling: 0 };
  const md = new Map([["x-client-trace-id", "c"]]);
  assert.equal(decideTrace(quarter, uuidWith(1), md, 0.2).traced, true);
  assert.equal(decideTrace(quarter, uuidWith(1), md, 0.3).traced, false);
});

Deno.test("withTraceStatus() and traceStatusOf() round-trip every status on any UUID", () => {
  fc.assert(
    fc.property(
      fc.uuid(),
      fc.constantFrom("none", "forced", "sampled", "client" as const),
      (uuid, status) => {
        const packed = withTraceStatus(uuid, status);
        assert.equal(packed.length, uuid.length);
        assert.equal(traceStatusOf(packed), status);
        assert.equal(packed.slice(0, 14) + packed.slice(15), uuid.slice(0, 14) + uuid.slice(15));
      },
    ),
  );
});

Deno.test("startSpan() opens a root span, 64- or 128-bit, when the caller sent no valid B3 context", () => {
  const short = startSpan(NONE, true, false), long = startSpan(NONE, false, true);
  assert.match(short.traceId, /^[0-9a-f]{16}$/);
  assert.match(long.traceId, /^[0-9a-f]{32}$/);
  assert.equal(short.sampled, true);
  assert.equal(long.sampled, false);
  assert.equal(short.parentId, undefined);
  const bad = startSpan(new Map([["x-b3-traceid", "zz"], ["x-b3-spanid", "1"]]), true, false);
  assert.equal(bad.parentId, undefined);
  assert.notEqual(bad.traceId, "zz");
});

Deno.test("startSpan() honours the caller's x-b3-sampled over the local decision", () => {
  const caller = new Map([
    ["x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7"],
    ["x-b3-spanid", "e457b5a2e4d86bd1"],
    ["x-b3-sampled", "0"],
  ]);
  const span = startSpan(caller, true, false);
  assert.equal(span.traceId, "80f198ee56343ba864fe8b2a57d3eff7");
  assert.equal(span.parentId, "e457b5a2e4d86bd1");
  assert.equal(span.sampled, false);
  assert.notEqual(span.spanId, "e457b5a2e4d86bd1");
});

Deno.test("b3Headers() and spanOf() round-trip a span", () => {
  const span = startSpan(
    new Map([["x-b3-traceid", "463ac35c9f6413ad"], ["x-b3-spanid", "a2fb4a1d1a96d312"]]),
    true,
    false,
  );
  assert.deepEqual(spanOf(new Map(b3Headers(span))), span);
  assert.equal(spanOf(new Map()), undefined);
});
