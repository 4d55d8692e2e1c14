import assert from "node:assert/strict";
import type { DecodeResult, Message } from "../codec.ts";
import { thriftCodec, type ThriftDetail } from "./mod.ts";
import { libCall, STACKS } from "./_test_peer.ts";
import { NotFound, Req, SayHelloResult, Thrift } from "./_test_service.ts";
import {
  be32,
  bstr,
  bytes,
  compactHeader,
  framed,
  laxHeader,
  strictHeader,
  theader,
} from "./_test_bytes.ts";

const REQ = new Req({ name: "deno", count: 3, tags: ["a", "b"], scores: new Map([["x", 9]]) });

function decoded(result: DecodeResult): Message {
  if (result.kind !== "message") assert.fail(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

function invalid(result: DecodeResult): { reason: string; offset: number } {
  if (result.kind !== "invalid") assert.fail(`expected invalid, got ${result.kind}`);
  return result;
}

const KINDS = [
  { name: "call", type: 1, body: new Req(), expect: ["request", "ok"] },
  { name: "oneway", type: 4, body: new Req(), expect: ["oneway", "ok"] },
  {
    name: "reply",
    type: 2,
    body: new SayHelloResult({ success: "hi" }),
    expect: ["response", "ok"],
  },
  {
    name: "reply with a declared exception",
    type: 2,
    body: new SayHelloResult(new NotFound({ what: "x" })),
    expect: ["response", "error"],
  },
  {
    name: "exception",
    type: 3,
    body: new Thrift.TApplicationException(6, "bad"),
    expect: ["error", "error"],
  },
] as const;

for (const s of STACKS) {
  Deno.test(`thriftCodec.decode() reads method, seqid and type of every message kind (${s.name})`, () => {
    for (const kind of KINDS) {
      const frame = libCall(s, {
        method: "getUser",
        seqid: 0x7fff_fff0,
        type: kind.type,
        body: kind.body,
      });
      const m = decoded(thriftCodec.decode(frame));
      assert.deepEqual([m.type, m.status], kind.expect, kind.name);
      assert.equal(m.requestId, 0x7fff_fff0n);
      assert.equal(m.metadata.get("method"), "getUser");
      assert.equal(m.operation, "getUser");
      assert.equal(m.streamId, 0);
      const detail = m.detail as ThriftDetail;
      assert.deepEqual(
        { transport: detail.transport, protocol: detail.protocol, strict: detail.strict },
        s.expect,
      );
    }
  });

  Deno.test(`thriftCodec.decode() needs more for every strict prefix and consumes exactly one frame (${s.name})`, () => {
    const frame = libCall(s, { req: REQ, seqid: 42, headers: { "X-Tenant": "t1" } });
    for (let i = 0; i < frame.length; i++) {
      const result = thriftCodec.decode(frame.subarray(0, i));
      assert.equal(result.kind, "need-more", `prefix of ${i} bytes`);
      if (s.expect.transport !== "unframed" && i >= 6) {
        assert.equal(result.kind === "need-more" && result.frameSize, frame.length);
      }
    }
    const next = libCall(s, { seqid: 43 });
    const input = bytes(frame, next);
    const result = thriftCodec.decode(input);
    assert.equal(result.kind === "message" && result.bytesConsumed, frame.length);
    const m = decoded(result);
    assert.equal(m.frame.buffer, input.buffer, "the frame is a view of the input");
    assert.equal(m.frame.length, frame.length);
    assert.equal(m.headerSize + m.bodySize, frame.length);
    assert.equal(m.requestId, 42n);
    const second = decoded(thriftCodec.decode(input.subarray(frame.length)));
    assert.equal(second.requestId, 43n);
  });
}

Deno.test("thriftCodec.decode() splits header and body at the argument struct", () => {
  const m = decoded(thriftCodec.decode(framed(bytes(strictHeader("sayHello", 1, 1), 0))));
  assert.equal(m.headerSize, 4 + 4 + 4 + 8 + 4);
  assert.equal(m.bodySize, 1);
  const payload = bytes(compactHeader("hi", 1, 1), 0);
  const t = decoded(thriftCodec.decode(theader({ payload, protocolId: 2 })));
  assert.equal(t.headerSize, 14 + 4 + 6);
  assert.equal(t.bodySize, 1);
});

Deno.test("thriftCodec.decode() reads THeader info headers, per-message and persistent", () => {
  const frame = theader({
    payload: bytes(strictHeader("find", 1, 9), 0),
    info: [
      [2, [["X-Caller", "persist"], ["region", "eu"]]],
      [1, [["X-Caller", "now"], ["Method", "spoofed"], ["bom", "\uFEFFkept"]]],
    ],
    seqId: 9,
  });
  const m = decoded(thriftCodec.decode(frame));
  assert.deepEqual(Object.fromEntries(m.metadata), {
    "x-caller": "now",
    region: "eu",
    bom: "\uFEFFkept",
    method: "find",
  });
});

Deno.test("thriftCodec.decode() stops reading THeader info at an unknown info type", () => {
  const frame = theader({
    payload: bytes(strictHeader("find", 1, 9), 0),
    info: [[1, [["a", "1"]]]],
    extra: [9, 0xff, 0xff],
  });
  assert.deepEqual(Object.fromEntries(decoded(thriftCodec.decode(frame)).metadata), {
    a: "1",
    method: "find",
  });
});

Deno.test("thriftCodec.decode() rejects THeader frames it cannot read", () => {
  const payload = bytes(strictHeader("find", 1, 9), 0);
  const cases: [Uint8Array, RegExp][] = [
    [theader({ payload, transforms: [1] }), /transforms \("1"\) are not supported/],
    [theader({ payload, protocolId: 1 }), /protocol id "1" is not supported/],
    [theader({ payload: bytes(0x82, 0x21, 9, 1, 0x41, 0), protocolId: 0 }), /binary/],
    [theader({ payload, protocolId: 2 }), /compact message starts "0x80"/],
    [theader({ payload, info: [[1, [["k", "v"]]]], extra: [1, 5] }), /does not fit/],
  ];
  for (const [frame, reason] of cases) {
    assert.match(invalid(thriftCodec.decode(frame)).reason, reason);
  }
  // What the Node library writes for TFramedTransport + THeaderProtocol.
  const doubled = framed(theader({ payload }));
  assert.match(invalid(thriftCodec.decode(doubled)).reason, /inside a second length prefix/);
  const overrun = theader({ payload });
  overrun[13] = 0xff;
  assert.match(invalid(thriftCodec.decode(overrun)).reason, /THeader size "1020" runs past/);
});

Deno.test("thriftCodec.decode() detects old-style binary framed and unframed", () => {
  const unframedLax = bytes(laxHeader("ping", 4, 5), 0);
  const m = decoded(thriftCodec.decode(unframedLax));
  assert.deepEqual([m.type, m.requestId, (m.detail as ThriftDetail).transport], [
    "oneway",
    5n,
    "unframed",
  ]);
  const framedLax = framed(unframedLax);
  const f = decoded(thriftCodec.decode(framedLax));
  assert.deepEqual([f.type, (f.detail as ThriftDetail).transport], ["oneway", "framed"]);
  assert.equal((f.detail as ThriftDetail).strict, false);
});

Deno.test("thriftCodec.decode() rejects garbage with a reason and offset", () => {
  const cases: [Uint8Array, RegExp, number][] = [
    [
      new TextEncoder().encode("GET / HTTP/1.1\r\n"),
      /unknown transport, frame starts 0x47 0x45/,
      0,
    ],
    [bytes(0x80, 0x02, 0, 1), /unknown transport/, 0],
    [bytes(0x82, 0x22), /unknown transport/, 0],
    [bytes(0xff, 0xff, 0xff, 0xff), /unknown transport/, 0],
    [
      bytes(0, 0, 0, 9, 0x12, 0x34),
      /unknown transport, frame starts 0x00 0x00 0x00 0x09 0x12 0x34$/,
      0,
    ],
    [bytes(be32(0), 0x80, 0x01), /frame size is "0"/, 0],
    [
      framed(bytes(0x80, 0x01, 0, 7, bstr("a"), be32(1), 0)),
      /unknown message type "7" at byte "7"/,
      7,
    ],
    [
      framed(bytes(0x80, 0x01, 1, 1, bstr("a"), be32(1), 0)),
      /binary protocol version "0x80010101"/,
      4,
    ],
    [framed(bytes(0x80, 0x01, 0, 1, be32(100), 0x61, be32(1), 0)), /past the frame end/, 8],
    [bytes(0x80, 0x01, 0, 1, be32(-5)), /method name length "-5" is negative/, 4],
    [bytes(strictHeader("a", 1, 1), 99, 0, 1), /unknown field type "99" at byte "13"/, 13],
    [bytes(0x82, 0x21, 0xff, 0xff, 0xff, 0xff, 0x7f), /varint at byte "2" overflows 32 bits/, 2],
  ];
  for (const [input, reason, offset] of cases) {
    const result = invalid(thriftCodec.decode(input));
    assert.match(result.reason, reason);
    assert.match(result.reason, /^Cannot decode Thrift message: /);
    assert.equal(result.offset, offset, result.reason);
  }
});

Deno.test("thriftCodec.decode() refuses bogus container sizes without walking them", () => {
  const listOfI32 = bytes(strictHeader("a", 1, 1), 15, 0, 1, 8, be32(0x7fff_ffff));
  assert.match(invalid(thriftCodec.decode(listOfI32)).reason, /frame-size limit "16777216"/);
  const listOfStructs = bytes(strictHeader("a", 1, 1), 15, 0, 1, 12, be32(100_000_000));
  assert.match(invalid(thriftCodec.decode(listOfStructs)).reason, /frame-size limit/);
  const mapOfStrings = bytes(strictHeader("a", 1, 1), 13, 0, 1, 11, 11, be32(3_000_000));
  assert.match(invalid(thriftCodec.decode(mapOfStrings)).reason, /frame-size limit/);
  const compactList = bytes(compactHeader("a", 1, 1), 0x19, 0xfc, 0xff, 0xff, 0xff, 0x0f);
  assert.match(invalid(thriftCodec.decode(compactList)).reason, /frame-size limit/);
  const negative = bytes(strictHeader("a", 1, 1), 15, 0, 1, 12, be32(-1));
  assert.match(invalid(thriftCodec.decode(negative)).reason, /container size "-1" is negative/);
  // A plausible size the input cannot hold yet: wait, do not walk.
  const pending = bytes(strictHeader("a", 1, 1), 15, 0, 1, 12, be32(1000), 0, 0);
  assert.equal(thriftCodec.decode(pending).kind, "need-more");
});

Deno.test("thriftCodec.decode() refuses nesting past the depth limit", () => {
  const deepBinary = bytes(strictHeader("a", 1, 1), ...Array(100).fill([12, 0, 1]).flat(), 0);
  assert.match(invalid(thriftCodec.decode(deepBinary)).reason, /depth limit "64"/);
  const deepCompact = bytes(compactHeader("a", 1, 1), ...Array(100).fill(0x1c), 0);
  assert.match(invalid(thriftCodec.decode(deepCompact)).reason, /depth limit "64"/);
  const deepLists = bytes(
    strictHeader("a", 1, 1),
    15,
    0,
    1,
    ...Array(100).fill([15, 0, 0, 0, 1]).flat(),
  );
  assert.match(invalid(thriftCodec.decode(deepLists)).reason, /depth limit "64"/);
});

Deno.test("thriftCodec.decode() enforces the frame-size limit before buffering", () => {
  const options = { maxFrameSize: 1024 };
  for (const magic of [[0x80, 0x01], [0x82, 0x21], [0x0f, 0xff], [0, 0]]) {
    const result = invalid(thriftCodec.decode(bytes(be32(1021), magic), options));
    assert.match(result.reason, /frame size "1025" exceeds the limit "1024"/);
  }
  const fits = framed(bytes(strictHeader("a", 1, 1), 0));
  assert.equal(thriftCodec.decode(fits, { maxFrameSize: fits.length }).kind, "message");
  assert.equal(thriftCodec.decode(fits, { maxFrameSize: fits.length - 1 }).kind, "invalid");
  // Unframed: a string that cannot fit is refused from its length alone.
  const longString = bytes(strictHeader("a", 1, 1), 11, 0, 1, be32(2000));
  assert.match(invalid(thriftCodec.decode(longString, options)).reason, /frame-size limit "1024"/);
  // Unframed: many small fields never ending; need more until the limit, then invalid.
  const fields = bytes(strictHeader("a", 1, 1), ...Array(200).fill([8, 0, 1, 0, 0, 0, 0]).flat());
  assert.equal(thriftCodec.decode(fields.subarray(0, 1000), options).kind, "need-more");
  assert.match(invalid(thriftCodec.decode(fields, options)).reason, /without ending/);
  // Unframed: a complete message longer than the limit is invalid even when all buffered.
  const complete = bytes(fields, 0);
  assert.match(invalid(thriftCodec.decode(complete, options)).reason, /without ending/);
  assert.equal(thriftCodec.decode(complete).kind, "message");
});

Deno.test("thriftCodec.heartbeatReply() returns undefined: Thrift has no heartbeats", () => {
  const m = decoded(thriftCodec.decode(libCall(STACKS[0])));
  assert.equal(thriftCodec.heartbeatReply(m), undefined);
  assert.equal(thriftCodec.name, "aeraki.meta_protocol.codec.thrift");
  assert.equal(thriftCodec.protocol, "thrift");
});
