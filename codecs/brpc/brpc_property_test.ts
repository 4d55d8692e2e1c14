import assert from "node:assert/strict";
import fc from "fast-check";
import type { Message } from "../codec.ts";
import { brpcCodec } from "./mod.ts";
import { brpcFrame, readBrpcMeta } from "./_testing.ts";

const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) =>
  !["service", "method"].includes(k.toLowerCase())
);
const meta = fc.record({
  service: fc.string({ maxLength: 40 }),
  method: fc.string({ maxLength: 20 }),
  id: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
  logId: fc.option(fc.nat(), { nil: undefined }),
  fields: fc.dictionary(key.map((k) => k.toLowerCase()), fc.string({ maxLength: 20 }), {
    maxKeys: 4,
  }),
  payload: fc.uint8Array({ maxLength: 64 }),
});

function decoded(frame: Uint8Array): Message {
  const r = brpcCodec.decode(frame);
  if (r.kind !== "message") assert.fail(`expected a message, got ${JSON.stringify(r)}`);
  assert.equal(r.bytesConsumed, frame.length);
  return r.message;
}

Deno.test("brpcCodec.decode() reads what protobufjs writes (any service, method, id, user_fields)", () => {
  fc.assert(fc.property(meta, (m) => {
    const frame = brpcFrame({
      request: { service_name: m.service, method_name: m.method, log_id: m.logId },
      correlation_id: m.id.toString(),
      user_fields: m.fields,
    }, m.payload);
    const msg = decoded(frame);
    assert.equal(msg.requestId, m.id);
    assert.equal(msg.operation, `${m.service}/${m.method}`);
    assert.deepEqual(
      Object.fromEntries(msg.metadata),
      { ...m.fields, service: m.service, method: m.method },
    );
  }));
});

Deno.test("brpcCodec.encode() and rewriteRequestId() round-trip through protobufjs", () => {
  fc.assert(fc.property(
    meta,
    fc.dictionary(key, fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 3 }),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    (m, mutation, id) => {
      const frame = brpcFrame({
        request: { service_name: m.service, method_name: m.method },
        correlation_id: m.id.toString(),
        user_fields: m.fields,
      }, m.payload);
      const r = brpcCodec.encode(decoded(frame), new Map(Object.entries(mutation)));
      if (r.kind !== "ok") assert.fail(r.reason);
      const want: Record<string, string> = { ...m.fields };
      for (const [k, v] of Object.entries(mutation)) want[k] = v;
      const read = readBrpcMeta(r.bytes);
      assert.deepEqual(read.user_fields ?? {}, want);
      assert.deepEqual(r.bytes.subarray(r.bytes.length - m.payload.length), m.payload);
      const copy = r.bytes.slice();
      const rewritten = brpcCodec.rewriteRequestId!(decoded(copy), id)!;
      // brpc declares correlation_id int64; the codec reads the same 64 bits unsigned.
      const read64 = BigInt(readBrpcMeta(rewritten).correlation_id as string);
      assert.equal(BigInt.asUintN(64, read64), id);
      const back = decoded(rewritten);
      assert.equal(back.requestId, id);
      assert.deepEqual([...back.metadata], [...decoded(r.bytes).metadata]);
    },
  ));
});
