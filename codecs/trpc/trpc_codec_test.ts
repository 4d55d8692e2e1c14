import assert from "node:assert/strict";
import type { DecodeResult, Message } from "../codec.ts";
import { trpcCodec } from "./mod.ts";
import {
  bytes,
  frame,
  requestFrame,
  responseFrame,
  streamCloseFrame,
  streamFrame,
  streamInitFrame,
  transInfo,
} from "./_testing.ts";

const REQUEST = {
  version: 0,
  call_type: 0,
  request_id: 42,
  timeout: 1000,
  caller: bytes("trpc.app.client.Caller"),
  callee: bytes("trpc.test.helloworld.Greeter"),
  func: bytes("/trpc.test.helloworld.Greeter/SayHello"),
  trans_info: transInfo({ "Trpc-Dyeing-Key": "blue", env: "test" }),
  content_type: 0,
};
const BODY = bytes("hello body");

function show(result: DecodeResult): string {
  return JSON.stringify(result, (_, v) => typeof v === "bigint" ? `${v}n` : v);
}

function message(result: DecodeResult): Message {
  if (result.kind !== "message") assert.fail(`expected a message, got ${show(result)}`);
  return result.message;
}

function invalid(result: DecodeResult): { reason: string; offset: number } {
  if (result.kind !== "invalid") assert.fail(`expected invalid, got ${show(result)}`);
  return result;
}

Deno.test("trpcCodec.decode() reads the routing metadata of a protobufjs request", () => {
  const input = requestFrame(REQUEST, BODY);
  const result = trpcCodec.decode(input);
  const m = message(result);
  assert.deepEqual(m.type, "request");
  assert.deepEqual(m.requestId, 42n);
  assert.deepEqual(m.status, "ok");
  assert.deepEqual(m.streamId, 0);
  assert.deepEqual(m.operation, "/trpc.test.helloworld.Greeter/SayHello");
  assert.deepEqual(
    Object.fromEntries(m.metadata),
    {
      caller: "trpc.app.client.Caller",
      callee: "trpc.test.helloworld.Greeter",
      func: "/trpc.test.helloworld.Greeter/SayHello",
      "trpc-dyeing-key": "blue",
      env: "test",
    },
  );
  assert.deepEqual(m.bodySize, BODY.length);
  assert.deepEqual(m.headerSize + m.bodySize, input.length);
  assert.deepEqual((result as { bytesConsumed: number }).bytesConsumed, input.length);
  assert.ok(m.frame.buffer === input.buffer, "frame must be a view, not a copy");
});

Deno.test("trpcCodec.decode() needs more data for every strict prefix of a frame", () => {
  const input = requestFrame(REQUEST, BODY);
  for (let n = 0; n < input.length; n++) {
    const result = trpcCodec.decode(input.subarray(0, n));
    assert.deepEqual(result.kind, "need-more", `prefix of ${n} bytes`);
    const frameSize = (result as { frameSize?: number }).frameSize;
    assert.deepEqual(frameSize, n >= 8 ? input.length : undefined, `prefix of ${n} bytes`);
  }
});

Deno.test("trpcCodec.decode() consumes exactly one frame of two", () => {
  const first = requestFrame({ ...REQUEST, request_id: 1 });
  const second = requestFrame({ ...REQUEST, request_id: 2 }, BODY);
  const input = new Uint8Array([...first, ...second]);
  const a = trpcCodec.decode(input);
  assert.deepEqual((a as { bytesConsumed: number }).bytesConsumed, first.length);
  assert.deepEqual(message(a).frame.length, first.length);
  const b = message(trpcCodec.decode(input.subarray(first.length)));
  assert.deepEqual(b.requestId, 2n);
});

Deno.test("trpcCodec.decode() rejects a wrong magic from the first byte", () => {
  assert.deepEqual(invalid(trpcCodec.decode(new Uint8Array([0x12, 0x34, 0, 0]))), {
    kind: "invalid",
    reason: "Cannot decode tRPC frame: magic is 0x1234, expected 0x0930",
    offset: 0,
  } as never);
  assert.deepEqual(invalid(trpcCodec.decode(new Uint8Array([0x47]))).offset, 0);
  assert.deepEqual(invalid(trpcCodec.decode(new Uint8Array([0x09, 0x31]))).offset, 0);
});

Deno.test("trpcCodec.decode() rejects unknown frame types where they are", () => {
  const good = requestFrame(REQUEST);
  const withType = (i: number, v: number) => good.map((b, j) => (j === i ? v : b));
  const bad = invalid(trpcCodec.decode(withType(2, 7).subarray(0, 3)));
  assert.deepEqual(bad.offset, 2);
  assert.deepEqual(
    bad.reason,
    "Cannot decode tRPC frame: data frame type is 7, expected 0 (unary) or 1 (stream)",
  );
  assert.deepEqual(invalid(trpcCodec.decode(withType(3, 1))).offset, 3);
  const stream = streamFrame(2, 9, BODY);
  assert.deepEqual(invalid(trpcCodec.decode(stream.map((b, j) => (j === 3 ? 5 : b)))).offset, 3);
  assert.deepEqual(invalid(trpcCodec.decode(stream.map((b, j) => (j === 3 ? 0 : b)))).offset, 3);
});

Deno.test("trpcCodec.decode() enforces the frame-size limit from the header alone", () => {
  const header = new Uint8Array([0x09, 0x30, 0, 0, 0x01, 0x00, 0x00, 0x01]);
  const over = invalid(trpcCodec.decode(header));
  assert.deepEqual(over.offset, 4);
  assert.deepEqual(
    over.reason,
    "Cannot decode tRPC frame: frame size is 16777217 bytes, above the limit of 16777216 bytes",
  );
  const input = requestFrame(REQUEST, BODY);
  assert.deepEqual(invalid(trpcCodec.decode(input, { maxFrameSize: input.length - 1 })).offset, 4);
  assert.deepEqual(trpcCodec.decode(input, { maxFrameSize: input.length }).kind, "message");
});

Deno.test("trpcCodec.decode() rejects sizes that contradict each other", () => {
  const tiny = new Uint8Array([0x09, 0x30, 0, 0, 0, 0, 0, 15]);
  assert.deepEqual(invalid(trpcCodec.decode(tiny)).offset, 4);
  const input = requestFrame(REQUEST, BODY);
  const pbTooBig = input.slice();
  new DataView(pbTooBig.buffer).setUint16(8, input.length);
  const bad = invalid(trpcCodec.decode(pbTooBig.subarray(0, 10)));
  assert.deepEqual(bad.offset, 8);
});

Deno.test("trpcCodec.decode() reports a malformed protobuf header at its byte", () => {
  // Field 3 (request_id) whose varint never ends inside the 3-byte header.
  const input = frame(new Uint8Array([0x18, 0x80, 0x80]), BODY);
  const bad = invalid(trpcCodec.decode(input));
  assert.deepEqual(bad.offset, 17);
  assert.ok(bad.reason.startsWith("Cannot decode tRPC frame: RequestProtocol is malformed: "));
  // caller (field 5) sent as a varint.
  assert.deepEqual(invalid(trpcCodec.decode(frame(new Uint8Array([0x28, 0x01]), BODY))).offset, 16);
  // A length running past the header end.
  const long = frame(new Uint8Array([0x2a, 0x05, 0x61]), bytes("abcdef"));
  assert.deepEqual(invalid(trpcCodec.decode(long)).offset, 17);
});

Deno.test("trpcCodec.decode() skips unknown fields of every wire type", () => {
  const { request_id: _, ...rest } = REQUEST;
  const known = requestFrame(rest).subarray(16);
  const unknown = new Uint8Array([
    ...[0xa0, 0x01, 0x96, 0x01], // field 20 varint 150
    ...[0xa9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8], // field 21 fixed64
    ...[0xb5, 0x01, 1, 2, 3, 4], // field 22 fixed32
    ...[0xbb, 0x01, 0x08, 0x01, 0xbc, 0x01], // field 23 group holding a varint
    ...[0xc2, 0x01, 0x02, 0x68, 0x69], // field 24 bytes
  ]);
  const input = frame(new Uint8Array([...unknown, ...known, 0x18, 0x07]), BODY);
  const m = message(trpcCodec.decode(input));
  assert.deepEqual(m.requestId, 7n);
  assert.deepEqual(m.metadata.get("callee"), "trpc.test.helloworld.Greeter");
});

Deno.test("trpcCodec.decode() maps call_type 1 to a oneway request", () => {
  const m = message(trpcCodec.decode(requestFrame({ ...REQUEST, call_type: 1 })));
  assert.deepEqual(m.type, "oneway");
});

Deno.test("trpcCodec.decode() lets named fields win over trans_info of the same name", () => {
  const spoof = { ...REQUEST, trans_info: transInfo({ FUNC: "/evil/Method", x: "y" }) };
  const m = message(trpcCodec.decode(requestFrame(spoof)));
  assert.deepEqual(m.metadata.get("func"), "/trpc.test.helloworld.Greeter/SayHello");
  assert.deepEqual(m.metadata.get("x"), "y");
});

Deno.test("trpcCodec.decode() turns invalid UTF-8 into replacement characters", () => {
  const m = message(trpcCodec.decode(requestFrame({ caller: new Uint8Array([0x61, 0xff]) })));
  assert.deepEqual(m.metadata.get("caller"), "a\ufffd");
});

Deno.test("trpcCodec.decode() reads response status, error text and trans_info", () => {
  const ok = message(
    trpcCodec.decode(responseFrame({ request_id: 9, trans_info: transInfo({ K: "v" }) }), {
      side: "response",
    }),
  );
  assert.deepEqual([ok.type, ok.status, ok.requestId], ["response", "ok", 9n]);
  assert.deepEqual(Object.fromEntries(ok.metadata), { k: "v" });
  for (const fields of [{ ret: 21 }, { func_ret: -1 }, { ret: -2147483648 }]) {
    const r = message(
      trpcCodec.decode(responseFrame({ request_id: 9, error_msg: bytes("boom"), ...fields }), {
        side: "response",
      }),
    );
    assert.deepEqual(r.status, "error", JSON.stringify(fields));
    assert.deepEqual(r.metadata.get("error_msg"), "boom");
  }
});

Deno.test("trpcCodec.decode() types stream frames and keeps their stream id", () => {
  const init = message(trpcCodec.decode(streamInitFrame(77, {
    request_meta: { caller: bytes("c"), callee: bytes("svc"), func: bytes("/a/B") },
    init_window_size: 65535,
  })));
  assert.deepEqual([init.type, init.streamId, init.requestId, init.operation], [
    "stream_init",
    77,
    0n,
    "/a/B",
  ]);
  assert.deepEqual(Object.fromEntries(init.metadata), { caller: "c", callee: "svc", func: "/a/B" });
  const data = message(trpcCodec.decode(streamFrame(2, 77, BODY)));
  assert.deepEqual([data.type, data.streamId, data.bodySize], ["stream_data", 77, BODY.length]);
  assert.deepEqual(
    message(trpcCodec.decode(streamFrame(3, 77, new Uint8Array([8, 1])))).type,
    "stream_data",
  );
  const close = message(trpcCodec.decode(streamCloseFrame(77, { close_type: 0 })));
  assert.deepEqual([close.type, close.streamId], ["stream_close_one_way", 77]);
  const reset = message(trpcCodec.decode(streamCloseFrame(77, { close_type: 1, ret: 1 })));
  assert.deepEqual([reset.type, reset.status], ["stream_close_two_way", "error"]);
  const refused = message(
    trpcCodec.decode(streamInitFrame(5, { response_meta: { ret: 11, error_msg: bytes("no") } })),
  );
  assert.deepEqual([refused.status, refused.metadata.get("error_msg")], ["error", "no"]);
});

Deno.test("trpcCodec.heartbeatReply() is undefined: tRPC has no heartbeats", () => {
  const m = message(trpcCodec.decode(requestFrame(REQUEST)));
  assert.deepEqual(trpcCodec.heartbeatReply(m), undefined);
});
