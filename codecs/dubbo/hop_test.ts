/**
 * The optimistic walk (`_hop.ts`) against the exact one: on any request body, hessian.js
 * written or damaged, both give the same result, down to the error and its offset.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import { type BodyResult, decodeRequestBody } from "./body.ts";
import { hessianValue } from "./_arbitraries.ts";
import { dubboFrame, hessianBody, requestFrame, typicalRequest } from "./_testing.ts";
import { hopAttachments, hopBegin, hopEnd, hopValues, hopVerified } from "./_hop.ts";
import { wordView } from "./_utf8.ts";
import { readAttachments } from "./attachments.ts";
import { HessianReader } from "./hessian_reader.ts";
import { skipValue } from "./hessian_walker.ts";
import { anyString } from "../_unicode_testing.ts";

const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 300);

function summary(result: BodyResult): unknown {
  if (!result.ok) return result;
  const { classes, metadata, head, ...detail } = result;
  return {
    metadata: [...metadata],
    operation: head?.operation,
    detail,
    classes: classes.slice(),
  };
}

function assertSameWalk(frame: Uint8Array): void {
  const fast = decodeRequestBody(frame, 0xc2);
  const exact = decodeRequestBody(frame, 0xc2, false);
  assert.deepEqual(summary(fast), summary(exact));
}

const key = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9.-]{0,11}$/),
  anyString({ maxLength: 8 }),
);
const text = fc.oneof(
  fc.stringMatching(/^[ -~]{0,40}$/),
  anyString({ maxLength: 40 }),
  anyString({ minLength: 32, maxLength: 1100 }),
);
const value = hessianValue({
  text,
  key,
  field: key,
  classes: ["com.a.A", "com.a.B", "com.é.Ü"],
  maxBinary: 40,
});
const requestArb = fc.record({
  args: fc.array(value, { maxLength: 4 }),
  attachments: fc.option(fc.dictionary(key, fc.oneof(text, value), { maxKeys: 6 }), {
    nil: undefined,
  }),
}).map(({ args, attachments }) =>
  requestFrame({ types: "Ljava/lang/Object;".repeat(args.length), args, attachments })
);

Deno.test("the optimistic walk agrees with the exact walk on hessian.js bodies", () => {
  fc.assert(fc.property(requestArb, assertSameWalk), { numRuns: RUNS });
});

Deno.test("the optimistic walk agrees with the exact walk on damaged bodies", () => {
  const damaged = fc.tuple(
    fc.oneof(requestArb, fc.constant(typicalRequest())),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
    fc.nat(),
  ).map(([frame, flips, cut]) => {
    const copy = frame.slice();
    // Damage the body only: the head (when intact) still comes from the cache or the walk.
    for (const [at, byte] of flips) copy[16 + (at % (copy.length - 16))] = byte;
    const length = 16 + (cut % (copy.length - 15));
    const out = copy.subarray(0, length);
    new DataView(out.buffer, out.byteOffset).setInt32(12, length - 16);
    return out;
  });
  fc.assert(fc.property(damaged, assertSameWalk), { numRuns: RUNS * 3 });
});

Deno.test("the optimistic walk is what decodes the typical request", () => {
  // A non-ASCII argument string sends the walk to the exact one; the metadata is the same.
  const ascii = requestFrame({ args: ["hello"], attachments: { group: "blue" } });
  const unicode = requestFrame({ args: ["héllo wörld"], attachments: { group: "blue" } });
  for (const frame of [ascii, unicode, typicalRequest()]) assertSameWalk(frame);
  const result = decodeRequestBody(unicode, 0xc2);
  assert.ok(result.ok);
  assert.equal(result.metadata.get("group"), "blue");
});

Deno.test("the optimistic walk vouches for itself on every ASCII body", () => {
  const ascii = fc.oneof(
    fc.stringMatching(/^[ -~]{0,40}$/),
    fc.stringMatching(/^[a-z]{120,300}$/), // two-byte lengths, some with a high length byte
  );
  const plain = hessianValue({
    text: ascii,
    key: ascii,
    field: fc.stringMatching(/^[a-z]{1,40}$|^[a-z]{130,140}$/),
    classes: ["com.a.A", "com.example.rather.long.Type", `com.${"x".repeat(140)}.T`],
    maxBinary: 15, // longer ones take a chunked form, which the exact walk reads
  });
  const frameArb = fc.record({
    args: fc.array(plain, { maxLength: 4 }),
    attachments: fc.dictionary(ascii, fc.oneof(ascii, plain), { maxKeys: 6 }),
  }).map(({ args, attachments }) =>
    requestFrame({ types: "Ljava/lang/Object;".repeat(args.length), args, attachments })
  );
  fc.assert(
    fc.property(frameArb, (frame) => {
      const exact = new HessianReader(frame, 16, frame.length);
      for (let i = 0; i < 5; i++) assert.ok(skipValue(exact), exact.error);
      const argsAt = exact.pos;
      const params = countArgs(frame);
      for (let i = 0; i < params; i++) assert.ok(skipValue(exact), exact.error);
      const attachmentsAt = exact.pos;
      assert.ok(readAttachments(exact, []) >= 0, exact.error);

      const classes: number[] = [];
      hopBegin();
      assert.equal(hopValues(frame, frame.length, classes, argsAt, params), attachmentsAt);
      assert.ok(hopAttachments(frame, frame.length, classes, attachmentsAt, []) >= 0);
      assert.equal(hopEnd, exact.pos);
      assert.deepEqual(classes, exact.classes);
      const words = wordView(frame);
      assert.ok(hopVerified(frame, words, 0, argsAt, hopEnd), "the non-ASCII counts differ");
    }),
    { numRuns: RUNS },
  );
});

/** The number of arguments of a frame written by `requestFrame` (one type per argument). */
function countArgs(frame: Uint8Array): number {
  const text = new TextDecoder().decode(frame);
  const types = text.match(/(Ljava\/lang\/Object;)+/);
  return types === null ? 0 : types[0].length / "Ljava/lang/Object;".length;
}

Deno.test("a head whose frames defeat the optimistic walk still decodes every frame exactly", () => {
  // Same head (cached), arguments in Chinese (every optimistic try misses) and in ASCII.
  const frames = ["你好，世界", "hello", "再见", "bye"].map((greeting) =>
    requestFrame({ args: [greeting], attachments: { group: "蓝", zone: "z1" } })
  );
  for (let i = 0; i < 200; i++) {
    const frame = frames[i % 7 === 0 ? 1 + (i % 2) * 2 : (i % 2) * 2];
    assertSameWalk(frame);
    const result = decodeRequestBody(frame, 0xc2);
    assert.ok(result.ok);
    assert.equal(result.metadata.get("group"), "蓝");
  }
});

Deno.test("the optimistic walk keeps the exact walk's nesting limit, in arguments and attachments", () => {
  const head = hessianBody("2.0.2", "com.example.Greeter", "", "echo", "Ljava/lang/Object;");
  /** `depth` one-item lists around a null. */
  const nested = (depth: number) => [...new Array(depth).fill(0x79), 0x4e];
  for (const depth of [511, 512, 513]) {
    const asArgument = new Uint8Array([...head, ...nested(depth), 0x48, 0x5a]);
    const asAttachment = new Uint8Array([...head, 0x4e, 0x48, 0x01, 0x6b, ...nested(depth), 0x5a]);
    for (const body of [asArgument, asAttachment]) {
      const frame = dubboFrame(0xc2, 0, 1n, body);
      assertSameWalk(frame);
      const exact = decodeRequestBody(frame, 0xc2, false);
      const limit = body === asArgument ? 512 : 511;
      assert.equal(exact.ok, depth <= limit, `depth ${depth}`);
    }
  }
});

Deno.test("the optimistic walk reads every container form Java's Hessian writes", () => {
  const s = (text: string) => [text.length, ...new TextEncoder().encode(text)];
  const forms: Record<string, number[]> = {
    "W list up to Z": [0x57, ...s("a"), 0x90, 0x5a],
    "U typed list up to Z": [0x55, ...s("java.util.List"), ...s("a"), 0x5a],
    "V typed list, compact length": [0x56, ...s("[int"), 0x92, 0x91, 0x92],
    "V typed list, type reference": [0x56, 0x90, 0x91, 0x93],
    "X list, 2-byte length with a high byte": [0x58, 0xc8, 0x81, ...new Array(129).fill(0x90)],
    "X list, 3-byte length": [0x58, 0xd4, 0x00, 0x02, 0x4e, 0x4e],
    "X list, 4-byte length": [0x58, 0x49, 0, 0, 0, 2, 0x4e, 0x4e],
    "M typed map": [0x4d, ...s("java.util.TreeMap"), ...s("k"), 0x90, 0x5a],
    "O object by class index": [0x43, ...s("com.a.A"), 0x91, ...s("f"), 0x4f, 0x90, 0xe1],
    "Q reference": [0x7a, 0x4e, 0x51, 0x90],
    "Q reference, 2-byte index": [0x7a, 0x4e, 0x51, 0xc8, 0x00],
  };
  const bad: Record<string, number[]> = {
    "X list longer than the body": [0x58, 0xc8, 0xff, 0x4e],
    "X list of negative length": [0x58, 0x8f],
    "O object of an undefined class": [0x4f, 0x91, 0x4e],
    "Q negative reference": [0x51, 0x8f],
    "V negative type reference": [0x56, 0x8f, 0x90],
    "W list without its Z": [0x57, 0x4e],
  };
  const head = hessianBody("2.0.2", "com.example.Greeter", "", "echo", "Ljava/lang/Object;");
  for (const [label, value] of [...Object.entries(forms), ...Object.entries(bad)]) {
    const asArgument = new Uint8Array([...head, ...value, 0x48, ...s("k"), ...s("v"), 0x5a]);
    const asAttachment = new Uint8Array([...head, 0x4e, 0x48, ...s("k"), ...value, 0x5a]);
    for (const body of [asArgument, asAttachment]) {
      const frame = dubboFrame(0xc2, 0, 1n, body);
      assertSameWalk(frame);
      const exact = decodeRequestBody(frame, 0xc2, false);
      assert.equal(exact.ok, label in forms, `${label}: ${exact.ok ? "" : exact.reason}`);
      if (!exact.ok) continue;
      // The optimistic walk handles the form itself: it needs no help from the exact walk.
      const argsAt = 16 + head.length;
      const classes: number[] = [];
      hopBegin();
      const attachmentsAt = hopValues(frame, frame.length, classes, argsAt, 1);
      assert.ok(attachmentsAt > 0, label);
      assert.ok(hopAttachments(frame, frame.length, classes, attachmentsAt, []) >= 0, label);
      const words = wordView(frame);
      assert.ok(hopVerified(frame, words, frame.byteOffset & 3, argsAt, hopEnd), label);
    }
  }
});
