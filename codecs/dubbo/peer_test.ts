/**
 * Real-peer tests: Dubbo bodies written by hessian.js are walked exactly, and what the codec
 * writes reads back in hessian.js.
 */
import assert from "node:assert/strict";
import type { Message } from "../codec.ts";
import {
  dubboFrame,
  expectMessage,
  hessianBody,
  hessianRead,
  requestFrame,
  typicalRequest,
} from "./_testing.ts";
import { dubboCodec } from "./mod.ts";

const person = (name: string) => ({
  $class: "com.example.Person",
  $: {
    name,
    age: 30,
    friends: [],
    address: { $class: "com.example.Address", $: { city: "Oslo" } },
  },
});

const exception = {
  $class: "java.lang.IllegalStateException",
  $: {
    detailMessage: "order 17 is closed",
    cause: null,
    stackTrace: {
      $class: "[java.lang.StackTraceElement",
      $: [{
        $class: "java.lang.StackTraceElement",
        $: { declaringClass: "com.example.Orders", methodName: "close", lineNumber: 42 },
      }],
    },
  },
};

/** Argument lists covering every value kind hessian.js writes, keyed by their descriptor. */
const argumentCases: [string, unknown[]][] = [
  ["", []],
  ["Ljava/lang/String;IJD", ["héllo 😀", -7, { $class: "long", $: 2 ** 40 }, 0.1]],
  ["Ljava/util/Date;Ljava/util/Date;", [new Date(1_700_000_000_123), new Date(1_699_999_980_000)]],
  ["[BLjava/lang/Object;", [new Uint8Array(40_000).fill(1), null]],
  ["Ljava/util/List;[Ljava/lang/String;", [[1, "a", [true, false]], {
    $class: "[java.lang.String",
    $: ["x", "y"],
  }]],
  ["Ljava/util/Map;Ljava/util/Map;", [{ a: { b: { c: 1 } } }, new Map<unknown, unknown>([[1, 2]])]],
  ["Lcom/example/Person;Lcom/example/Person;[Lcom/example/Person;", [
    person("a"),
    person("b"),
    { $class: "[com.example.Person", $: [person("c")] },
  ]],
  ["Ljava/lang/String;", ["z".repeat(100_000)]],
  ["ZZ[[I", [true, false, [[1], [2, 3]]]],
];

const attachments = { group: "g1", "X-Trace": "abc", interface: "override.Me", num: 5 };

Deno.test("dubboCodec.decode() walks request arguments of every kind hessian.js writes", () => {
  for (const [types, args] of argumentCases) {
    const frame = requestFrame({ path: "com.x.Svc", method: "call", types, args, attachments });
    const message = expectMessage(dubboCodec.decode(frame));
    assert.deepEqual(Object.fromEntries(message.metadata), {
      interface: "override.Me",
      method: "call",
      version: "1.0.0",
      group: "g1",
      "x-trace": "abc",
    }, types);
    assert.equal(message.operation, "com.x.Svc/call");
  }
});

Deno.test("dubboCodec.decode() accepts a request without attachments", () => {
  const frame = requestFrame({ version: "", attachments: undefined });
  const message = expectMessage(dubboCodec.decode(frame));
  assert.deepEqual(Object.fromEntries(message.metadata), {
    interface: "com.example.Greeter",
    method: "sayHello",
  });
});

function applyAndReread(message: Message, mutation: Map<string, string>, count: number) {
  const result = dubboCodec.encode(message, mutation);
  assert.equal(result.kind, "ok", JSON.stringify(result));
  const bytes = result.kind === "ok" ? result.bytes : new Uint8Array();
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(12), bytes.length - 16);
  return { bytes, values: hessianRead(bytes.subarray(16), count) };
}

Deno.test("dubboCodec.encode() splices attachments that hessian.js reads back", () => {
  for (const [types, args] of argumentCases) {
    const frame = requestFrame({ types, args, attachments });
    const message = expectMessage(dubboCodec.decode(frame));
    const mutation = new Map([["group", "g2"], ["x-envoy", "é😀".repeat(400)], ["num", "6"]]);
    const { bytes, values } = applyAndReread(message, mutation, 6 + args.length);
    const original = hessianRead(frame.subarray(16), 6 + args.length);
    assert.deepEqual(values.slice(0, -1), original.slice(0, -1), "arguments untouched");
    assert.deepEqual(values.at(-1), {
      ...attachments,
      group: "g2",
      num: "6",
      "x-envoy": "é😀".repeat(400),
    });
    const detail = message.detail as { attachmentStart: number };
    assert.deepEqual(
      bytes.subarray(16, detail.attachmentStart),
      frame.subarray(16, detail.attachmentStart),
    );
    const again = expectMessage(dubboCodec.decode(bytes));
    assert.equal(again.metadata.get("group"), "g2");
    assert.equal(again.metadata.get("x-envoy"), "é😀".repeat(400));
  }
});

Deno.test("dubboCodec.encode() adds an attachment map to a request that had none", () => {
  const message = expectMessage(dubboCodec.decode(requestFrame({ attachments: undefined })));
  const { values } = applyAndReread(message, new Map([["x-request-id", "r1"]]), 7);
  assert.deepEqual(values.at(-1), { "x-request-id": "r1" });
});

/** Response bodies of each result type, with values of varied kinds. */
const responseCases: [string, unknown[], string][] = [
  ["exception", [0, exception], "error"],
  ["string value", [1, "ok"], "response"],
  ["object value", [1, person("r")], "response"],
  ["list value", [1, [1, 2.5, null, new Date(0)]], "response"],
  ["long value", [1, { $class: "long", $: 2 ** 50 }], "response"],
  ["null value", [2], "response"],
  ["exception with attachments", [3, exception, { k: "v" }], "error"],
  ["map value with attachments", [4, { a: [1] }, { k: "v", n: 1 }], "response"],
  ["null value with attachments", [5, { k: "v" }], "response"],
];

Deno.test("dubboCodec.decode() reads every response result type", () => {
  for (const [label, values, type] of responseCases) {
    const frame = dubboFrame(0x02, 20, 11n, hessianBody(...values));
    const message = expectMessage(dubboCodec.decode(frame));
    assert.equal(message.type, type, label);
    assert.equal(message.status, "ok", label);
    assert.equal(message.requestId, 11n);
    const expected = values[0] as number >= 3 ? { k: "v" } : {};
    assert.deepEqual(Object.fromEntries(message.metadata), expected, label);
  }
});

Deno.test("dubboCodec.encode() writes response attachments, switching to *_WITH_ATTACHMENTS", () => {
  for (const [label, values] of responseCases) {
    const frame = dubboFrame(0x02, 20, 11n, hessianBody(...values));
    const message = expectMessage(dubboCodec.decode(frame));
    const resultType = values[0] as number;
    const count = resultType % 3 === 2 ? 2 : 3;
    const { bytes, values: reread } = applyAndReread(message, new Map([["peer", "p1"]]), count);
    const withAttachments = resultType < 3 ? resultType + 3 : resultType;
    assert.equal(reread[0], withAttachments, label);
    if (count === 3) assert.deepEqual(reread[1], hessianRead(frame.subarray(16), 2)[1], label);
    const old = resultType >= 3 ? values.at(-1) as object : {};
    assert.deepEqual(reread.at(-1), { ...old, peer: "p1" }, label);
    assert.equal(expectMessage(dubboCodec.decode(bytes)).metadata.get("peer"), "p1");
  }
});

Deno.test("dubboCodec.errorReply() builds a response hessian.js reads as the error text", () => {
  const request = expectMessage(dubboCodec.decode(typicalRequest(5n)));
  const text = "meta protocol router: unknown cluster 'outbound|20880||svc' é😀";
  const reply = dubboCodec.errorReply(request, { type: "ClusterNotFound", message: text });
  assert.equal(reply[3], 80);
  assert.equal(new DataView(reply.buffer, reply.byteOffset).getBigInt64(4), 5n);
  assert.deepEqual(hessianRead(reply.subarray(16), 1), [text]);
});
