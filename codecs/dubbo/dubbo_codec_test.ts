import assert from "node:assert/strict";
import { DEFAULT_MAX_FRAME_SIZE } from "../codec.ts";
import {
  concat,
  dubboFrame,
  expectMessage,
  hessianBody,
  hessianRead,
  requestFrame,
  typicalRequest,
} from "./_testing.ts";
import { dubboCodec } from "./mod.ts";

const heartbeat = dubboFrame(0xe2, 0, 99n, new Uint8Array([0x4e]));

Deno.test("dubboCodec.decode() returns need-more for a partial header", () => {
  const frame = typicalRequest();
  for (let n = 0; n < 16; n++) {
    assert.deepEqual(dubboCodec.decode(frame.subarray(0, n)), { kind: "need-more" }, `${n} bytes`);
  }
});

Deno.test("dubboCodec.decode() returns need-more with frameSize for a partial body", () => {
  const frame = typicalRequest();
  for (let n = 16; n < frame.length; n++) {
    const result = dubboCodec.decode(frame.subarray(0, n));
    assert.deepEqual(result, { kind: "need-more", frameSize: frame.length }, `${n} bytes`);
  }
});

Deno.test("dubboCodec.decode() reads a request's routing metadata", () => {
  const frame = typicalRequest(42n);
  const message = expectMessage(dubboCodec.decode(frame));
  assert.equal(message.type, "request");
  assert.equal(message.requestId, 42n);
  assert.equal(message.status, "ok");
  assert.equal(message.operation, "org.apache.dubbo.samples.api.GreetingService/greet");
  assert.equal(message.headerSize, 16);
  assert.equal(message.bodySize, frame.length - 16);
  assert.equal(message.frame.buffer, frame.buffer, "frame is a view, not a copy");
  assert.deepEqual(Object.fromEntries(message.metadata), {
    interface: "org.apache.dubbo.samples.api.GreetingService",
    method: "greet",
    version: "1.0.0",
    path: "org.apache.dubbo.samples.api.GreetingService",
    group: "blue",
    timeout: "3000",
    dubbo: "2.0.2",
    "x-request-id": "4f2a1c9e-5b7d-4e1a-9c3f-2b8d6e0a7f11",
  });
});

Deno.test("dubboCodec.decode() consumes exactly one frame from a stream", () => {
  const first = typicalRequest(1n);
  const stream = concat(first, heartbeat, typicalRequest(2n));
  const a = dubboCodec.decode(stream);
  assert.equal(a.kind === "message" && a.bytesConsumed, first.length);
  const b = dubboCodec.decode(stream.subarray(first.length));
  assert.equal(b.kind === "message" && b.bytesConsumed, heartbeat.length);
  const c = dubboCodec.decode(stream.subarray(first.length + heartbeat.length));
  assert.equal(expectMessage(c).requestId, 2n);
});

Deno.test("dubboCodec.decode() types heartbeats and oneway requests", () => {
  const hb = expectMessage(dubboCodec.decode(heartbeat));
  assert.equal(hb.type, "heartbeat");
  assert.equal(hb.requestId, 99n);
  const hbResponse = dubboFrame(0x22, 20, 99n, new Uint8Array([0x4e]));
  assert.equal(expectMessage(dubboCodec.decode(hbResponse)).type, "heartbeat");
  const oneway = expectMessage(dubboCodec.decode(requestFrame({}, 5n, 0x82)));
  assert.equal(oneway.type, "oneway");
  assert.equal(oneway.metadata.get("method"), "sayHello");
});

Deno.test("dubboCodec.heartbeatReply() answers two-way heartbeat requests only", () => {
  const hb = expectMessage(dubboCodec.decode(heartbeat));
  assert.deepEqual(
    dubboCodec.heartbeatReply(hb),
    new Uint8Array([0xda, 0xbb, 0x22, 20, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 1, 0x4e]),
  );
  const event = expectMessage(dubboCodec.decode(dubboFrame(0xa2, 0, 1n, hessianBody("R"))));
  assert.equal(dubboCodec.heartbeatReply(event), undefined);
  const request = expectMessage(dubboCodec.decode(typicalRequest()));
  assert.equal(dubboCodec.heartbeatReply(request), undefined);
});

Deno.test("dubboCodec.decode() rejects garbage at the first bad byte", () => {
  const cases: [number[], RegExp, number][] = [
    [[0x12], /magic is 0x12\.\., expected 0xdabb/, 0],
    [[0xda, 0x00], /magic is 0xda00, expected 0xdabb/, 0],
    [[0xda, 0xbb, 0xc6], /serialization id is 6, only 2 \(Hessian 2\) is supported/, 2],
    [[0xda, 0xbb, 0x02, 21], /response status 21 is not a Dubbo status/, 3],
    [[0xda, 0xbb, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff], /negative/, 12],
  ];
  for (const [bytes, reason, offset] of cases) {
    const result = dubboCodec.decode(new Uint8Array(bytes));
    assert.equal(result.kind, "invalid", `${bytes}`);
    if (result.kind !== "invalid") continue;
    assert.match(result.reason, /^Cannot decode Dubbo frame: /);
    assert.match(result.reason, reason);
    assert.equal(result.offset, offset);
  }
});

Deno.test("dubboCodec.decode() enforces the frame-size limit from the header", () => {
  const header = dubboFrame(0xc2, 0, 1n, new Uint8Array(0));
  new DataView(header.buffer).setInt32(12, DEFAULT_MAX_FRAME_SIZE);
  const result = dubboCodec.decode(header);
  assert.equal(result.kind, "invalid");
  assert.equal(result.kind === "invalid" && result.offset, 12);
  const small = typicalRequest();
  const limited = dubboCodec.decode(small.subarray(0, 20), { maxFrameSize: small.length - 1 });
  assert.equal(limited.kind, "invalid");
  const fits = dubboCodec.decode(small.subarray(0, 20), { maxFrameSize: small.length });
  assert.deepEqual(fits, { kind: "need-more", frameSize: small.length });
});

Deno.test("dubboCodec.decode() reports a malformed body with its offset", () => {
  const body = hessianBody("2.0.2", "com.x.Svc", "", "m", "Q", 1);
  const result = dubboCodec.decode(dubboFrame(0xc2, 0, 1n, body));
  assert.equal(result.kind, "invalid");
  if (result.kind !== "invalid") return;
  assert.match(result.reason, /^Cannot decode Dubbo request body: the parameter types: "Q"/);
  assert.equal(result.offset, 16 + body.indexOf(0x51));
  const empty = dubboCodec.decode(dubboFrame(0xc2, 0, 1n, new Uint8Array(0)));
  assert.equal(empty.kind === "invalid" && empty.offset, 16);
});

Deno.test("dubboCodec.decode() accepts every response status", () => {
  for (const status of [30, 31, 40, 50, 60, 70, 80, 90, 100]) {
    const frame = dubboFrame(0x02, status, 3n, hessianBody("boom"));
    const message = expectMessage(dubboCodec.decode(frame));
    assert.equal(message.type, "error");
    assert.equal(message.status, "error");
    assert.equal(message.requestId, 3n);
  }
});

Deno.test("dubboCodec.errorReply() maps the error type to a Dubbo status", () => {
  const request = expectMessage(dubboCodec.decode(typicalRequest(77n)));
  const expected = { RouteNotFound: 60, BadResponse: 50, ClusterNotFound: 80, OverLimit: 80 };
  for (const [type, status] of Object.entries(expected)) {
    const message = `meta protocol router: no matched route for request '77' ✓`;
    const reply = dubboCodec.errorReply(request, { type: type as "RouteNotFound", message });
    assert.deepEqual([...reply.subarray(0, 4)], [0xda, 0xbb, 0x02, status]);
    const decoded = expectMessage(dubboCodec.decode(reply));
    assert.equal(decoded.requestId, 77n);
    assert.equal(decoded.type, "error");
    assert.deepEqual(hessianRead(reply.subarray(16), 1), [message]);
  }
});

Deno.test("dubboCodec.encode() returns the frame itself for an empty or idle mutation", () => {
  const message = expectMessage(dubboCodec.decode(typicalRequest()));
  assert.equal(dubboCodec.encode(message, new Map()).kind === "ok", true);
  const same = dubboCodec.encode(message, new Map());
  assert.equal(same.kind === "ok" && same.bytes, message.frame);
  const idle = dubboCodec.encode(message, new Map([["group", "blue"]]));
  assert.equal(idle.kind === "ok" && idle.bytes, message.frame);
});

Deno.test("dubboCodec.encode() refuses mutations where Dubbo has no attachments", () => {
  const hb = expectMessage(dubboCodec.decode(heartbeat));
  assert.equal(dubboCodec.encode(hb, new Map([["a", "b"]])).kind, "unsupported");
  const failure = expectMessage(dubboCodec.decode(dubboFrame(0x02, 80, 1n, hessianBody("x"))));
  const result = dubboCodec.encode(failure, new Map([["a", "b"]]));
  assert.equal(result.kind, "unsupported");
  assert.match(result.kind === "unsupported" ? result.reason : "", /^Cannot write a mutation/);
});

Deno.test("dubboCodec.encode() refuses to replace a structured attachment", () => {
  const frame = requestFrame({ attachments: { a: "x", obj: { inner: [1, 2] }, z: "y" } });
  const message = expectMessage(dubboCodec.decode(frame));
  const result = dubboCodec.encode(message, new Map([["obj", "flat"]]));
  assert.equal(result.kind, "unsupported");
  const other = dubboCodec.encode(message, new Map([["z", "new"]]));
  assert.equal(other.kind, "ok");
  const reread = hessianRead((other.kind === "ok" ? other.bytes : frame).subarray(16), 7);
  assert.deepEqual(reread[6], { a: "x", obj: { inner: [1, 2] }, z: "new" });
});
