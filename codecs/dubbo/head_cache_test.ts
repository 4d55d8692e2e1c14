import fc from "fast-check";
import assert from "node:assert/strict";
import { HEAD_CACHE_SLOTS, headSlot } from "./_head.ts";
import { expectMessage, requestFrame, typicalRequest } from "./_testing.ts";
import { dubboCodec } from "./mod.ts";

/** Decodes `frame` and returns what a router and a tracer read. */
function reading(frame: Uint8Array) {
  const m = expectMessage(dubboCodec.decode(frame));
  return {
    requestId: m.requestId,
    operation: m.operation,
    metadata: [...m.metadata],
    version: m.metadata.get("version"),
  };
}

/** `bytes` copied to `offset` inside a larger buffer, so its views start unaligned. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(bytes.length + offset + 3);
  out.set(bytes, offset);
  return out.subarray(offset, offset + bytes.length);
}

Deno.test("the head cache never changes a result, whatever the alignment of the input", () => {
  const frame = typicalRequest(9n);
  const expected = reading(frame);
  for (const offset of [0, 1, 2, 3, 4, 7]) {
    assert.deepEqual(reading(at(frame, offset)), expected, `offset ${offset}`);
    assert.deepEqual(reading(at(frame, offset)), expected, `offset ${offset}, again`);
  }
});

Deno.test("a head that differs in one byte from a cached one is walked anew", () => {
  // Same lengths (so the same hash inputs but the middle byte), different bytes.
  const heads = [
    { method: "sayHello", version: "1.0.0", types: "Ljava/lang/String;" },
    { method: "sayHellp", version: "1.0.0", types: "Ljava/lang/String;" },
    { method: "sayHello", version: "1.0.1", types: "Ljava/lang/String;" },
    { method: "sayHello", version: "1.0.0", types: "Ljava/lang/Strinh;" },
  ];
  for (let round = 0; round < 3; round++) {
    for (const head of heads) {
      const m = expectMessage(dubboCodec.decode(requestFrame({ ...head, attachments: {} })));
      assert.equal(m.operation, `com.example.Greeter/${head.method}`);
      assert.equal(m.metadata.get("method"), head.method);
      assert.equal(m.metadata.get("version"), head.version);
    }
  }
  // Two parameters instead of one: the argument count comes from the frame's own head.
  const two = requestFrame({ types: "II", args: [1, 2], attachments: { k: "v" } });
  const one = requestFrame({ types: "IJ", args: [1, 2], attachments: { k: "v" } });
  assert.equal(expectMessage(dubboCodec.decode(two)).metadata.get("k"), "v");
  assert.equal(expectMessage(dubboCodec.decode(one)).metadata.get("k"), "v");
});

Deno.test("a cached head keeps its own bytes: reusing the input buffer changes nothing", () => {
  const buffer = requestFrame({ method: "first", attachments: { group: "a" } });
  assert.equal(expectMessage(dubboCodec.decode(buffer)).operation, "com.example.Greeter/first");
  // The caller reuses its buffer for the next read, another call of the same length.
  buffer.set(requestFrame({ method: "other", attachments: { group: "b" } }));
  const next = expectMessage(dubboCodec.decode(buffer));
  assert.equal(next.operation, "com.example.Greeter/other");
  assert.equal(next.metadata.get("group"), "b");
  const again = requestFrame({ method: "first", attachments: { group: "c" } });
  assert.equal(expectMessage(dubboCodec.decode(again)).metadata.get("method"), "first");
});

Deno.test("the head cache is bounded: many more methods than slots all decode exactly", () => {
  const methods = Array.from({ length: HEAD_CACHE_SLOTS * 4 }, (_, i) => `method${i}`);
  const slots = new Set<number>();
  for (let round = 0; round < 2; round++) {
    for (const method of methods) {
      const frame = requestFrame({ method, attachments: { m: method } });
      slots.add(headSlot(frame));
      const m = expectMessage(dubboCodec.decode(frame));
      assert.equal(m.metadata.get("method"), method);
      assert.equal(m.metadata.get("m"), method);
    }
  }
  assert.ok(slots.size <= HEAD_CACHE_SLOTS);
  assert.ok(slots.size > HEAD_CACHE_SLOTS / 2, `the hash spreads heads (${slots.size} slots)`);
});

Deno.test("decoding a frame twice, with another in between, gives the same reading", () => {
  const part = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 });
  fc.assert(
    fc.property(part, part, part, part, (path, method, version, group) => {
      const frame = requestFrame({ path, method, version, attachments: { group } });
      const first = reading(frame);
      reading(requestFrame({ path, method: method + "x", version, attachments: {} }));
      assert.deepEqual(reading(at(frame, 1)), first);
      assert.deepEqual(reading(frame), first);
      assert.equal(first.operation, `${path}/${method}`);
    }),
    { numRuns: 200 },
  );
});
