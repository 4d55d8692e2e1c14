import assert from "node:assert/strict";
import type { DecodeResult, Message } from "../codec.ts";
import { checkCodec } from "../conformance.ts";
import { BRPC_EINTERNAL, BRPC_ELIMIT, BRPC_ENOSERVICE, brpcCodec } from "./mod.ts";
import { brpcFrame, readBrpcMeta, typicalRequest, typicalResponse } from "./_testing.ts";

function message(r: DecodeResult): [Message, number] {
  if (r.kind !== "message") assert.fail(`expected a message, got ${JSON.stringify(r)}`);
  return [r.message, r.bytesConsumed];
}

Deno.test("brpcCodec passes the codec conformance kit", () => {
  const samples = [
    { side: "request" as const, bytes: typicalRequest() },
    {
      side: "request" as const,
      bytes: brpcFrame({
        request: { service_name: "s", method_name: "m", trace_id: "9007199254740993" },
        correlation_id: "18446744073709551615",
        user_fields: { "X-Tenant": "a", k: "é" },
      }),
    },
    {
      side: "request" as const,
      bytes: brpcFrame({ request: { service_name: "", method_name: "" } }),
    },
    { side: "response" as const, bytes: typicalResponse() },
    {
      side: "response" as const,
      bytes: brpcFrame({ response: { error_code: -1, error_text: "boom" }, correlation_id: 300 }),
    },
  ];
  checkCodec(brpcCodec, samples, { runs: 100 });
});

Deno.test("brpcCodec.decode() reads service, method, correlation_id and user_fields", () => {
  const frame = brpcFrame({
    request: { service_name: "example.EchoService", method_name: "Echo", log_id: 5 },
    correlation_id: "1234567890123",
    compress_type: 1,
    user_fields: { "X-User": "v", service: "spoof" },
  }, new Uint8Array([9, 9]));
  const [m, used] = message(brpcCodec.decode(frame));
  assert.equal(used, frame.length);
  assert.equal(m.type, "request");
  assert.equal(m.status, "ok");
  assert.equal(m.requestId, 1234567890123n);
  assert.equal(m.operation, "example.EchoService/Echo");
  assert.deepEqual([...m.metadata].sort(), [
    ["method", "Echo"],
    ["service", "example.EchoService"],
    ["x-user", "v"],
  ]);
  assert.equal(m.headerSize, 12);
  assert.equal(m.bodySize, frame.length - 12);
  assert.equal(brpcCodec.heartbeatReply(m), undefined);
});

Deno.test("brpcCodec.decode() reports responses with a non-zero error_code as errors", () => {
  const [ok] = message(brpcCodec.decode(typicalResponse(), { side: "response" }));
  assert.deepEqual([ok.type, ok.status, ok.requestId, ok.operation], ["response", "ok", 7n, ""]);
  const failed = brpcFrame({
    response: { error_code: 1003, error_text: "bad" },
    correlation_id: 8,
  });
  const [bad] = message(brpcCodec.decode(failed, { side: "response" }));
  assert.deepEqual([bad.type, bad.status, bad.requestId], ["response", "error", 8n]);
  // A success without RpcResponseMeta at all, as some peers send.
  const bare = brpcFrame({ correlation_id: 9 });
  assert.equal(message(brpcCodec.decode(bare, { side: "response" }))[0].status, "ok");
  assert.equal(brpcCodec.decode(bare, { side: "request" }).kind, "invalid");
});

Deno.test("brpcCodec.decode() goes byte by byte: need-more for every prefix, exact bytesConsumed", () => {
  const a = typicalRequest();
  const b = brpcFrame({ request: { service_name: "s2", method_name: "m2" }, correlation_id: 2 });
  for (let n = 0; n < a.length; n++) {
    const r = brpcCodec.decode(a.subarray(0, n));
    assert.equal(r.kind, "need-more", `prefix ${n}`);
    if (n >= 12) assert.equal(r.kind === "need-more" && r.frameSize, a.length);
  }
  const both = new Uint8Array([...a, ...b, 0x50]);
  const [first, used] = message(brpcCodec.decode(both));
  assert.equal(used, a.length);
  assert.equal(first.requestId, 7n);
  const [second, used2] = message(brpcCodec.decode(both.subarray(used)));
  assert.equal(used2, b.length);
  assert.equal(second.metadata.get("method"), "m2");
  assert.equal(brpcCodec.decode(both.subarray(used + used2)).kind, "need-more");
});

Deno.test("brpcCodec.decode() refuses a bad magic, oversized frames and a meta larger than the body", () => {
  const bad = typicalRequest();
  bad[2] = 0x58; // "PRXC"
  const r = brpcCodec.decode(bad);
  assert.equal(r.kind, "invalid");
  assert.equal(r.kind === "invalid" && r.offset, 2);
  // The magic is checked before the header is complete.
  assert.equal(brpcCodec.decode(new Uint8Array([0x50, 0x00])).kind, "invalid");
  const big = new Uint8Array([0x50, 0x52, 0x50, 0x43, 0, 0, 1, 0, 0, 0, 0, 0]);
  const over = brpcCodec.decode(big, { maxFrameSize: 256 });
  assert.deepEqual(over.kind === "invalid" && [over.offset, over.reason], [
    4,
    'Reject the bRPC frame: its size "268" is above the limit "256"',
  ]);
  const meta = new Uint8Array([0x50, 0x52, 0x50, 0x43, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0]);
  const m = brpcCodec.decode(meta);
  assert.equal(m.kind === "invalid" && m.offset, 8);
});

Deno.test("brpcCodec.decode() points a malformed RpcMeta at its byte", () => {
  // meta: field 1 (request), length 9 but only 2 bytes follow.
  const frame = new Uint8Array([0x50, 0x52, 0x50, 0x43, 0, 0, 0, 4, 0, 0, 0, 4, 0x0a, 9, 0x0a, 0]);
  const r = brpcCodec.decode(frame);
  assert.equal(r.kind, "invalid");
  assert.equal(r.kind === "invalid" && r.offset, 13);
  assert.match(r.kind === "invalid" ? r.reason : "", /^RpcMeta is malformed: length 9/);
  const groups = new Uint8Array([0x50, 0x52, 0x50, 0x43, 0, 0, 0, 1, 0, 0, 0, 1, 0x1b]);
  assert.equal(brpcCodec.decode(groups).kind, "invalid");
});

Deno.test("brpcCodec.errorReply() is a brpc response with the error code, text and correlation id", () => {
  const [req] = message(brpcCodec.decode(typicalRequest()));
  const cases = [
    ["RouteNotFound", BRPC_ENOSERVICE],
    ["ClusterNotFound", BRPC_ENOSERVICE],
    ["OverLimit", BRPC_ELIMIT],
    ["NoHealthyUpstream", BRPC_EINTERNAL],
    ["BadResponse", BRPC_EINTERNAL],
    ["Unspecified", BRPC_EINTERNAL],
  ] as const;
  for (const [type, code] of cases) {
    const reply = brpcCodec.errorReply(req, { type, message: `no route: ${type} é` });
    assert.deepEqual(readBrpcMeta(reply), {
      response: { error_code: code, error_text: `no route: ${type} é` },
      correlation_id: "7",
    });
    const dv = new DataView(reply.buffer, reply.byteOffset);
    assert.equal(dv.getUint32(4), reply.length - 12); // empty payload
    assert.equal(dv.getUint32(8), reply.length - 12);
    const [r] = message(brpcCodec.decode(reply, { side: "response" }));
    assert.deepEqual([r.type, r.status, r.requestId], ["response", "error", 7n]);
  }
});

Deno.test("brpcCodec.encode() writes a mutation into user_fields, keeping payload and meta", () => {
  const payload = new TextEncoder().encode("payload");
  const frame = brpcFrame({
    request: { service_name: "S", method_name: "M", log_id: 3 },
    correlation_id: 11,
    user_fields: { a: "1" },
  }, payload);
  const [m] = message(brpcCodec.decode(frame));
  const same = brpcCodec.encode(m, new Map([["a", "1"]]));
  assert.ok(same.kind === "ok" && same.bytes === m.frame);
  const r = brpcCodec.encode(m, new Map([["a", "2"], ["x-route", "blue"]]));
  if (r.kind !== "ok") assert.fail(r.reason);
  const meta = readBrpcMeta(r.bytes);
  assert.deepEqual(meta.user_fields, { a: "2", "x-route": "blue" });
  assert.deepEqual(meta.request, { service_name: "S", method_name: "M", log_id: "3" });
  assert.deepEqual(r.bytes.subarray(r.bytes.length - payload.length), payload);
  const [after] = message(brpcCodec.decode(r.bytes));
  assert.equal(after.metadata.get("x-route"), "blue");
  assert.equal(after.metadata.get("a"), "2");
  const refused = brpcCodec.encode(m, new Map([["Method", "Other"]]));
  assert.equal(refused.kind, "unsupported");
});

Deno.test("brpcCodec.rewriteRequestId() changes correlation_id in place or by splicing", () => {
  const frame = typicalRequest();
  const [m] = message(brpcCodec.decode(frame));
  assert.equal(brpcCodec.rewriteRequestId!(m, 9n), m.frame); // in place: 1 byte fits
  assert.equal(readBrpcMeta(frame).correlation_id, "9");
  const [m2] = message(brpcCodec.decode(frame));
  const wide = brpcCodec.rewriteRequestId!(m2, 1n << 40n)!;
  assert.notEqual(wide, frame);
  assert.equal(readBrpcMeta(wide).correlation_id, String(1n << 40n));
  assert.deepEqual(wide.subarray(wide.length - 5), new TextEncoder().encode("hello"));
  const none = brpcFrame({ request: { service_name: "s", method_name: "m" } });
  const [m3] = message(brpcCodec.decode(none));
  assert.equal(m3.requestId, 0n);
  const added = brpcCodec.rewriteRequestId!(m3, 5n)!;
  assert.equal(message(brpcCodec.decode(added))[0].requestId, 5n);
  assert.equal(brpcCodec.rewriteRequestId!(m3, -1n), undefined);
  assert.equal(brpcCodec.rewriteRequestId!(m3, 1n << 64n), undefined);
});
