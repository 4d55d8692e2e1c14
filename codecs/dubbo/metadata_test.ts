import fc from "fast-check";
import assert from "node:assert/strict";
import { dubboFrame, expectMessage, hessianBody, requestFrame } from "./_testing.ts";
import { dubboCodec } from "./mod.ts";
import { anyString } from "../_unicode_testing.ts";

Deno.test("dubboCodec.decode() reads repeated and nearly equal strings exactly", () => {
  const methods = ["getUserById", "getUserByIx", "getUsexById", "gxtUserById"];
  for (let round = 0; round < 3; round++) {
    for (const method of methods) {
      const attachments = { trace: `abc-${method}-xyz`, group: method };
      const frame = requestFrame({ method, attachments });
      const message = expectMessage(dubboCodec.decode(frame));
      assert.equal(message.metadata.get("method"), method);
      assert.equal(message.metadata.get("trace"), `abc-${method}-xyz`);
      assert.equal(message.metadata.get("group"), method);
      assert.equal(message.operation, `com.example.Greeter/${method}`);
    }
  }
});

Deno.test("dubboCodec.decode() walks class definitions by their exact bytes", () => {
  for (let round = 0; round < 3; round++) {
    for (const field of ["alpha", "alphb"]) {
      const arg = { $class: "com.x.Same", $: { [field]: [1, 2], other: "v" } };
      const frame = requestFrame({ types: "Lcom/x/Same;", args: [arg], attachments: { k: field } });
      assert.equal(expectMessage(dubboCodec.decode(frame)).metadata.get("k"), field);
    }
  }
});

/** Keys that stress lower-casing: upper case, non-ASCII (some fold to ASCII), long ones. */
const keyArb = fc.oneof(
  fc.constantFrom("interface", "method", "version", "group", "Group", "GROUP", "x-Trace"),
  fc.constantFrom("\u212a", "k", "\u0130d", "i\u0307d", "\u00c9t\u00e9", "\ud83d\ude00Key"),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,40}$/),
  anyString({ maxLength: 12 }),
);
const stringValueArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  anyString({ maxLength: 60 }),
  fc.constantFrom("org.apache.dubbo.samples.api.GreetingService", "greet", ""),
);
/** Attachment values: mostly strings; the others must be skipped. */
const valueArb = fc.oneof(
  { weight: 4, arbitrary: stringValueArb },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.integer())) },
);
const entriesArb = fc.array(
  fc.tuple(
    fc.oneof({ weight: 9, arbitrary: keyArb }, { weight: 1, arbitrary: fc.integer() }),
    valueArb,
  ),
  { maxLength: 10 },
);

/** The eager reading the lazy map must equal: head first, then string entries in order. */
function eagerMetadata(
  head: { path: string; method: string; version: string } | undefined,
  entries: [unknown, unknown][],
): Map<string, string> {
  const out = new Map<string, string>();
  if (head !== undefined) {
    out.set("interface", head.path);
    out.set("method", head.method);
    if (head.version !== "") out.set("version", head.version);
  }
  for (const [k, v] of entries) {
    if (typeof k === "string" && typeof v === "string") out.set(k.toLowerCase(), v);
  }
  return out;
}

Deno.test("DubboMetadata reads exactly what an eager decode of hessian.js bodies holds", () => {
  const frameArb = fc.record({
    path: fc.oneof(fc.constant("org.apache.dubbo.samples.api.GreetingService"), fc.string()),
    method: fc.oneof(fc.constant("greet"), anyString({ maxLength: 20 })),
    version: fc.oneof(fc.constant(""), fc.string({ maxLength: 8 })),
    entries: entriesArb,
    response: fc.boolean(),
  });
  fc.assert(
    fc.property(frameArb, ({ path, method, version, entries, response }) => {
      const attachments = new Map(entries);
      // A JS Map keeps the first position of a repeated key: write what it holds.
      const written = [...attachments];
      const frame = response
        ? dubboFrame(0x02, 20, 3n, hessianBody(4, "result", attachments))
        : requestFrame({ path, method, version, attachments });
      const want = eagerMetadata(response ? undefined : { path, method, version }, written);
      const probes = [...want.keys(), ...written.map(([k]) => String(k)), "absent", "GROUP"];
      for (const key of probes) {
        const fresh = expectMessage(dubboCodec.decode(frame)).metadata;
        assert.equal(fresh.get(key), want.get(key), `get(${JSON.stringify(key)})`);
        assert.equal(fresh.has(key), want.has(key));
      }
      const metadata = expectMessage(dubboCodec.decode(frame)).metadata;
      assert.deepEqual([...metadata], [...want]);
      assert.equal(metadata.size, want.size);
      for (const key of probes) assert.equal(metadata.get(key), want.get(key));
    }),
    { numRuns: 300 },
  );
});

Deno.test("DubboMetadata reads chunked keys and values (strings over 32 KiB units)", () => {
  const long = "K\u00e9y-".repeat(9000);
  const value = "v\ud83d\ude00".repeat(12000);
  const attachments = new Map<unknown, unknown>([[long, value], ["b", "1"], [
    long.toLowerCase(),
    "2",
  ]]);
  const frame = requestFrame({ attachments });
  const metadata = expectMessage(dubboCodec.decode(frame)).metadata;
  assert.equal(metadata.get(long.toLowerCase()), "2");
  assert.equal(metadata.get("b"), "1");
  assert.deepEqual([...expectMessage(dubboCodec.decode(frame)).metadata], [
    ["interface", "com.example.Greeter"],
    ["method", "sayHello"],
    ["version", "1.0.0"],
    [long.toLowerCase(), "2"],
    ["b", "1"],
  ]);
  const first = new Map<unknown, unknown>([[long, value]]);
  const single = expectMessage(dubboCodec.decode(requestFrame({ attachments: first }))).metadata;
  assert.equal(single.get(long.toLowerCase()), value);
});
