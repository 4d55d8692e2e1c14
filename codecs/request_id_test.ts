import assert from "node:assert/strict";
import type { Codec, Message } from "./codec.ts";
import { checkCodec } from "./conformance.ts";
import { dubboCodec } from "./dubbo/mod.ts";
import { typicalRequest } from "./dubbo/_testing.ts";
import { thriftCodec } from "./thrift/mod.ts";
import { be32, bstr, bytes, varint } from "./thrift/_test_bytes.ts";
import { trpcCodec } from "./trpc/mod.ts";
import { bytes as utf8, requestFrame, trpcTypes } from "./trpc/_testing.ts";

function decoded(
  codec: Codec,
  frame: Uint8Array,
  side: "request" | "response" = "request",
): Message {
  const r = codec.decode(frame, { side });
  if (r.kind !== "message") assert.fail(`expected a message: ${JSON.stringify(r)}`);
  return r.message;
}

Deno.test("dubboCodec.rewriteRequestId() writes the 8-byte id in place", () => {
  const frame = typicalRequest();
  const before = frame.slice();
  const m = decoded(dubboCodec, frame);
  const out = dubboCodec.rewriteRequestId!(m, 0x0102030405060708n);
  assert.equal(out, frame, "in place: the same bytes");
  assert.deepEqual([...frame.subarray(4, 12)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(frame.subarray(12), before.subarray(12), "nothing else changes");
  assert.deepEqual(frame.subarray(0, 4), before.subarray(0, 4));
  assert.equal(decoded(dubboCodec, frame).requestId, 0x0102030405060708n);
  assert.equal(m.requestId, decoded(dubboCodec, before).requestId, "the message keeps its id");
});

Deno.test("dubboCodec.rewriteRequestId() rewrites freshly encoded bytes without a decode", () => {
  assert.equal(dubboCodec.requestIdInFixedHeader, true);
  const m = decoded(dubboCodec, typicalRequest());
  const encoded = dubboCodec.encode(m, new Map([["x-request-id", "abc"]]));
  assert.equal(encoded.kind, "ok");
  const bytes = encoded.kind === "ok" ? encoded.bytes : new Uint8Array();
  assert.notEqual(bytes, m.frame);
  const out = dubboCodec.rewriteRequestId!({ ...m, frame: bytes }, 42n);
  const again = decoded(dubboCodec, out!);
  assert.equal(again.requestId, 42n);
  assert.equal(again.metadata.get("x-request-id"), "abc");
  assert.equal(again.metadata.get("interface"), m.metadata.get("interface"));
});

const call = (seq: number) =>
  bytes(be32(4 + 4 + 5 + 4 + 1), 0x80, 0x01, 0, 1, bstr("hello"), be32(seq), 0);

Deno.test("thriftCodec.rewriteRequestId() writes a binary seqid in place", () => {
  const frame = call(7);
  const m = decoded(thriftCodec, frame);
  const out = thriftCodec.rewriteRequestId!(m, 0x01020304n);
  assert.equal(out, frame);
  assert.deepEqual([...frame], [...call(0x01020304)]);
  // Unsigned ids above 2^31 are the negative seqids the wire carries.
  thriftCodec.rewriteRequestId!(m, 0xfffffffen);
  assert.deepEqual([...frame], [...call(-2)]);
  assert.equal(decoded(thriftCodec, frame).requestId, 0xfffffffen);
});

const compactCall = (seq: number[]) =>
  bytes(
    be32(2 + seq.length + 1 + 5 + 1),
    0x82,
    0x21,
    seq,
    varint(5),
    ...new TextEncoder().encode("hello"),
    0,
  );

Deno.test("thriftCodec.rewriteRequestId() pads a compact seqid in place or splices it", () => {
  const frame = compactCall([0x81, 0x00]); // seqid 1 in a padded two-byte varint
  const m = decoded(thriftCodec, frame);
  assert.equal(m.requestId, 1n);
  const out = thriftCodec.rewriteRequestId!(m, 300n);
  assert.equal(out, frame, "300 fits two varint bytes: in place");
  assert.deepEqual([...frame.subarray(6, 8)], [0xac, 0x02]);
  const grown = thriftCodec.rewriteRequestId!(decoded(thriftCodec, frame), 70000n)!;
  assert.notEqual(grown, frame);
  assert.deepEqual([...grown], [...compactCall(varint(70000))], "spliced, frame length fixed");
  assert.equal(decoded(thriftCodec, grown).requestId, 70000n);
});

Deno.test("thriftCodec.rewriteRequestId() sets a THeader frame's sequence number too", () => {
  const payload = bytes(0x80, 0x01, 0, 1, bstr("hi"), be32(5), 0);
  const headerWords = bytes(0, 0, 0, 0); // protocol id 0 (binary), no transforms, padding
  const rest = bytes(0x0f, 0xff, 0, 0, be32(5), 0, 1, headerWords, payload);
  const frame = bytes(be32(rest.length), rest);
  const m = decoded(thriftCodec, frame);
  assert.equal(m.requestId, 5n);
  thriftCodec.rewriteRequestId!(m, 9n);
  assert.deepEqual([...frame.subarray(8, 12)], be32(9));
  assert.equal(decoded(thriftCodec, frame).requestId, 9n);
});

Deno.test("trpcCodec.rewriteRequestId() rewrites request_id in place, spliced, or appended", () => {
  const { Request } = trpcTypes();
  const body = Uint8Array.of(1, 2, 3);
  const frame = requestFrame({ request_id: 200, callee: utf8("svc"), func: utf8("/svc/Do") }, body);
  const m = decoded(trpcCodec, frame);
  assert.equal(trpcCodec.rewriteRequestId!(m, 5n), m.frame, "5 fits the two bytes of 200");
  assert.equal(decoded(trpcCodec, frame).requestId, 5n);
  const big = trpcCodec.rewriteRequestId!(decoded(trpcCodec, frame), 1n << 30n)!;
  assert.notEqual(big, frame);
  const again = decoded(trpcCodec, big);
  assert.equal(again.requestId, 1n << 30n);
  assert.equal(again.metadata.get("func"), "/svc/Do");
  assert.deepEqual([...big.subarray(big.length - 3)], [1, 2, 3], "the body follows");
  const header = Request.decode(big.subarray(16, 16 + again.headerSize - 16));
  assert.equal(Number((header as unknown as { request_id: number }).request_id), 1 << 30);
  const none = requestFrame({ callee: utf8("svc") });
  const added = trpcCodec.rewriteRequestId!(decoded(trpcCodec, none), 42n)!;
  assert.equal(decoded(trpcCodec, added).requestId, 42n);
  assert.equal(decoded(trpcCodec, added).metadata.get("callee"), "svc");
});

Deno.test("checkCodec() fails a codec whose rewriteRequestId loses the id", () => {
  const broken: Codec = { ...dubboCodec, rewriteRequestId: (m) => m.frame };
  assert.throws(
    () => checkCodec(broken, [{ side: "request", bytes: typicalRequest() }], { runs: 5 }),
    /rewriteRequestId\(1\) is not read back/,
  );
});
