import assert from "node:assert/strict";
import type { DecodeResult, Message } from "../codec.ts";
import { thriftCodec, type ThriftDetail } from "./mod.ts";
import { libCall, libReadException, libReadHeaders, STACKS } from "./_test_peer.ts";
import { Req } from "./_test_service.ts";
import { bytes, strictHeader, theader } from "./_test_bytes.ts";

function decoded(result: DecodeResult): Message {
  if (result.kind !== "message") assert.fail(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

function encoded(message: Message, mutation: Record<string, string>): Uint8Array {
  const result = thriftCodec.encode(message, new Map(Object.entries(mutation)));
  if (result.kind !== "ok") assert.fail(`expected bytes, got ${result.reason}`);
  return result.bytes;
}

const REQ = new Req({ name: "deno", count: 1, tags: ["t"], scores: new Map([["s", 2]]) });
const HEADER_STACKS = STACKS.filter((s) => s.expect.transport === "header");

for (const s of STACKS) {
  Deno.test(`thriftCodec.encode() returns the original frame for an empty mutation (${s.name})`, () => {
    const m = decoded(thriftCodec.decode(libCall(s, { req: REQ })));
    const result = thriftCodec.encode(m, new Map());
    assert.equal(result.kind === "ok" && result.bytes, m.frame);
  });

  Deno.test(`thriftCodec.errorReply() answers in the client's own transport and protocol (${s.name})`, () => {
    const request = decoded(
      thriftCodec.decode(libCall(s, { method: "getUser", seqid: 77, req: REQ })),
    );
    const text = "meta protocol router: no healthy upstream for 'outbound|9090||users' ✗";
    const reply = thriftCodec.errorReply(request, { type: "NoHealthyUpstream", message: text });
    assert.deepEqual(libReadException(s, reply), {
      fname: "getUser",
      mtype: 3,
      rseqid: 77,
      message: text,
      type: 6,
    });
    const result = thriftCodec.decode(reply);
    const m = decoded(result);
    assert.deepEqual([m.type, m.status, m.requestId], ["error", "error", 77n]);
    assert.equal(result.kind === "message" && result.bytesConsumed, reply.length);
    const { transport, protocol, strict } = m.detail as ThriftDetail;
    assert.deepEqual({ transport, protocol, strict }, s.expect);
  });
}

for (const s of STACKS.filter((s) => s.expect.transport !== "header")) {
  Deno.test(`thriftCodec.encode() reports a mutation as unsupported without headers (${s.name})`, () => {
    const m = decoded(thriftCodec.decode(libCall(s, { req: REQ })));
    const result = thriftCodec.encode(m, new Map([["x-route", "canary"]]));
    assert.equal(result.kind, "unsupported");
    assert.equal(thriftCodec.canMutate!(m), false, "canMutate() agrees with encode()");
    assert.equal(
      result.kind === "unsupported" && result.reason,
      `Cannot write mutation to Thrift message: the "${s.expect.transport}" transport carries no headers; only the header transport (THeader) does`,
    );
  });
}

for (const s of HEADER_STACKS) {
  Deno.test(`thriftCodec.encode() writes a mutation into THeader headers the library reads (${s.name})`, () => {
    const original = libCall(s, { req: REQ, seqid: 5, headers: { "X-User": "alice", keep: "me" } });
    const m = decoded(thriftCodec.decode(original));
    assert.equal(thriftCodec.canMutate!(m), true, "canMutate() agrees with encode()");
    const out = encoded(m, { "x-user": "bob", "x-route": "canary-with-a-longer-value" });
    assert.deepEqual(libReadHeaders(out), {
      keep: "me",
      "x-user": "bob",
      "x-route": "canary-with-a-longer-value",
    });
    const again = decoded(thriftCodec.decode(out));
    assert.equal(again.frame.length, out.length);
    assert.equal(new DataView(out.buffer, out.byteOffset).getInt32(0), out.length - 4);
    assert.deepEqual(Object.fromEntries(again.metadata), {
      keep: "me",
      "x-user": "bob",
      "x-route": "canary-with-a-longer-value",
      method: "sayHello",
    });
    assert.equal(again.requestId, 5n);
    // The payload is copied byte for byte.
    const payloadOf = (msg: Message) =>
      msg.frame.subarray((msg.detail as ThriftDetail).payloadOffset);
    assert.deepEqual(payloadOf(again), payloadOf(m));
    assert.equal(again.bodySize, m.bodySize);
  });

  Deno.test(`thriftCodec.encode() returns the original frame when the mutation changes nothing (${s.name})`, () => {
    const m = decoded(thriftCodec.decode(libCall(s, { headers: { "x-user": "alice" } })));
    const result = thriftCodec.encode(m, new Map([["X-User", "alice"]]));
    assert.equal(result.kind === "ok" && result.bytes, m.frame);
  });
}

Deno.test("thriftCodec.encode() replaces persistent headers of the same name and keeps the rest", () => {
  const payload = bytes(strictHeader("find", 1, 3), 0);
  const frame = theader({
    payload,
    flags: 1,
    seqId: 3,
    info: [[1, [["a", "1"]]], [2, [["Trace", "old"], ["p", "2"]]]],
  });
  const m = decoded(thriftCodec.decode(frame));
  const out = encoded(m, { trace: "new" });
  const again = decoded(thriftCodec.decode(out));
  assert.deepEqual(Object.fromEntries(again.metadata), {
    a: "1",
    p: "2",
    trace: "new",
    method: "find",
  });
  assert.deepEqual(
    [...out.subarray(4, 12)],
    [0x0f, 0xff, 0, 1, 0, 0, 0, 3],
    "magic, flags, seqid kept",
  );
});

Deno.test("thriftCodec.encode() refuses messages another codec decoded", () => {
  const m = decoded(thriftCodec.decode(libCall(HEADER_STACKS[0])));
  const result = thriftCodec.encode({ ...m, detail: {} }, new Map([["a", "b"]]));
  assert.equal(result.kind, "unsupported");
});

Deno.test("thriftCodec.errorReply() copies the THeader flags and sequence number", () => {
  const frame = theader({ payload: bytes(strictHeader("find", 1, 3), 0), flags: 1, seqId: 99 });
  const reply = thriftCodec.errorReply(decoded(thriftCodec.decode(frame)), {
    type: "OverLimit",
    message: "limited",
  });
  assert.deepEqual([...reply.subarray(4, 12)], [0x0f, 0xff, 0, 1, 0, 0, 0, 99]);
});

Deno.test("thriftCodec.errorReply() answers a foreign message as framed strict binary", () => {
  const m = decoded(thriftCodec.decode(libCall(STACKS[0], { method: "m", seqid: 12 })));
  const reply = thriftCodec.errorReply({ ...m, detail: undefined }, {
    type: "Unspecified",
    message: "boom",
  });
  assert.deepEqual(libReadException(STACKS[0], reply), {
    fname: "m",
    mtype: 3,
    rseqid: 12,
    message: "boom",
    type: 6,
  });
});
