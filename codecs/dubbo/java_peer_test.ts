/**
 * The Dubbo codec against a real Java peer: what the codec writes (requests and responses
 * with a mutation spliced into their attachments, error replies, heartbeat replies) is read
 * by Caucho's Hessian 2 on the JDK, the way a Java Dubbo consumer or provider reads it
 * (`tests/peers/DubboPeer.java`). CI installs the peer (libhessian-java, see
 * `_tools/install_peers.sh`); without it these tests are reported as ignored, never passed.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import type { CodecError, Message } from "../codec.ts";
import { javaPeerMissing, javaReads, javaWrites } from "../../tests/java_dubbo_peer.ts";
import { BodyResult, decodeRequestBody } from "./body.ts";
import {
  dubboFrame,
  expectMessage,
  hessianBody,
  requestFrame,
  typicalRequest,
} from "./_testing.ts";
import { dubboCodec } from "./mod.ts";
import { anyString } from "../_unicode_testing.ts";

const missing = javaPeerMissing();
const ignore = missing !== undefined;
if (ignore) console.warn(`Java Dubbo peer tests ignored: ${missing}`);

function mutated(frame: Uint8Array, mutation: Record<string, string>): Uint8Array {
  const result = dubboCodec.encode(
    expectMessage(dubboCodec.decode(frame)),
    new Map(Object.entries(mutation)),
  );
  if (result.kind !== "ok") assert.fail(`encode: ${JSON.stringify(result)}`);
  return result.bytes;
}

Deno.test({
  name: "a Java Dubbo provider reads requests whose attachments the codec rewrote",
  ignore,
  async fn() {
    const typical = mutated(typicalRequest(5n), { "x-envoy-peer": "sidecar~é😀", group: "green" });
    const bare = mutated(requestFrame({ attachments: undefined }, 6n), { "x-request-id": "r1" });
    const [first, second] = await javaReads([typical, bare]);
    assert.deepEqual(first, {
      id: 5,
      flag: 0xc2,
      dubbo: "2.0.2",
      path: "org.apache.dubbo.samples.api.GreetingService",
      version: "1.0.0",
      method: "greet",
      types: "Ljava/lang/String;Lorg/apache/dubbo/samples/api/Person;IJ",
      arguments: [
        "hello",
        {
          name: "Ada",
          age: 36,
          email: "ada@example.com",
          tags: ["math", "engines"],
          address: { city: "London", zip: "W1", lines: ["12 St James's Square"] },
          born: { date: Date.UTC(1815, 11, 10) },
          score: 98.5,
        },
        3,
        1234567890123,
      ],
      attachments: {
        path: "org.apache.dubbo.samples.api.GreetingService",
        interface: "org.apache.dubbo.samples.api.GreetingService",
        version: "1.0.0",
        group: "green",
        timeout: "3000",
        dubbo: "2.0.2",
        "x-request-id": "4f2a1c9e-5b7d-4e1a-9c3f-2b8d6e0a7f11",
        "x-envoy-peer": "sidecar~é😀",
      },
    });
    assert.deepEqual(second.attachments, { "x-request-id": "r1" });
    assert.deepEqual(second.arguments, ["world"]);
  },
});

Deno.test({
  name: "a Java Dubbo provider reads any rewritten request: arguments intact, attachments merged",
  ignore,
  async fn() {
    const key = fc.stringMatching(/^[a-z][a-z0-9.-]{0,11}$/);
    const text = anyString({ maxLength: 40 });
    const argument = fc.oneof(
      text,
      fc.integer(),
      fc.array(fc.oneof(text, fc.integer()), { maxLength: 5 }),
      fc.dictionary(key, text, { maxKeys: 3 }),
    );
    const cases = fc.sample(
      fc.record({
        args: fc.array(argument, { maxLength: 3 }),
        attachments: fc.dictionary(key, text, { maxKeys: 5 }),
        mutation: fc.dictionary(key, text, { minKeys: 1, maxKeys: 3 }),
      }),
      { numRuns: 60, seed: 20261122 },
    );
    const frames = cases.map(({ args, attachments, mutation }) =>
      mutated(
        requestFrame({ types: "Ljava/lang/Object;".repeat(args.length), args, attachments }),
        mutation,
      )
    );
    const read = await javaReads(frames);
    for (const [i, { args, attachments, mutation }] of cases.entries()) {
      assert.deepEqual(read[i].attachments, { ...attachments, ...mutation }, `case ${i}`);
      assert.equal((read[i].arguments as unknown[]).length, args.length, `case ${i}`);
      assert.deepEqual(read[i].arguments, JSON.parse(JSON.stringify(args)), `case ${i}`);
    }
  },
});

Deno.test({
  name: "a Java Dubbo consumer reads every response type with attachments the codec added",
  ignore,
  async fn() {
    const exception = { $class: "com.example.OrderClosed", $: { detailMessage: "order 17" } };
    const bodies: unknown[][] = [
      [0, exception],
      [1, "ok"],
      [2],
      [3, exception, { k: "v" }],
      [4, { a: [1] }, { k: "v" }],
      [5, { k: "v" }],
    ];
    const frames = bodies.map((values) =>
      mutated(dubboFrame(0x02, 20, 11n, hessianBody(...values)), { peer: "p1" })
    );
    const read = await javaReads(frames);
    const expected = [
      { type: 3, exception: { detailMessage: "order 17" }, attachments: { peer: "p1" } },
      { type: 4, value: "ok", attachments: { peer: "p1" } },
      { type: 5, attachments: { peer: "p1" } },
      { type: 3, exception: { detailMessage: "order 17" }, attachments: { k: "v", peer: "p1" } },
      { type: 4, value: { a: [1] }, attachments: { k: "v", peer: "p1" } },
      { type: 5, attachments: { k: "v", peer: "p1" } },
    ];
    for (const [i, want] of expected.entries()) {
      assert.deepEqual(read[i], { id: 11, flag: 0x02, status: 20, ...want }, `result type ${i}`);
    }
  },
});

Deno.test({
  name: "a Java Dubbo consumer reads the codec's error and heartbeat replies",
  ignore,
  async fn() {
    const request: Message = expectMessage(dubboCodec.decode(typicalRequest(2n ** 40n + 3n)));
    const errors: [CodecError["type"], number][] = [
      ["RouteNotFound", 60],
      ["BadResponse", 50],
      ["ClusterNotFound", 80],
      ["OverLimit", 80],
    ];
    const text = "meta protocol router: no route for greet — é😀";
    const replies = errors.map(([type]) => dubboCodec.errorReply(request, { type, message: text }));
    const heartbeat = expectMessage(dubboCodec.decode(dubboFrame(0xe2, 0, 77n, hessianBody(null))));
    replies.push(dubboCodec.heartbeatReply!(heartbeat)!);
    const read = await javaReads(replies);
    for (const [i, [type, status]] of errors.entries()) {
      assert.deepEqual(read[i], { id: 2 ** 40 + 3, flag: 0x02, status, error: text }, type);
    }
    assert.deepEqual(read[errors.length], {
      id: 77,
      flag: 0x22,
      event: true,
      status: 20,
      data: null,
    });
  },
});

Deno.test({
  name: "requests a Java Dubbo consumer writes decode exactly, and survive a rewrite",
  ignore,
  async fn() {
    const requests = await javaWrites();
    assert.ok(requests.length >= 7);
    const mutation = { "x-request-id": "r-1", group: "green" };
    const rewritten: Uint8Array[] = [];
    for (const { frame, path, version, method, attachments } of requests) {
      const message = expectMessage(dubboCodec.decode(frame));
      assert.deepEqual(
        Object.fromEntries(message.metadata),
        { interface: path, method, version, ...attachments },
        method,
      );
      assert.equal(message.operation, `${path}/${method}`);
      // The optimistic walk and the exact one agree on Java's bytes.
      const walks = [true, false].map((optimistic) => decodeRequestBody(frame, 0xc2, optimistic));
      assert.deepEqual(walks.map(walkSummary), walks.map(() => walkSummary(walks[1])), method);
      rewritten.push(mutated(frame, mutation));
    }
    // Java reads the rewritten requests with the same arguments and the merged attachments.
    const before = await javaReads(requests.map((r) => r.frame));
    const after = await javaReads(rewritten);
    for (const [i, { method, attachments }] of requests.entries()) {
      assert.deepEqual(after[i].arguments, before[i].arguments, method);
      assert.deepEqual(after[i].attachments, { ...attachments, ...mutation }, method);
    }
  },
});

function walkSummary(result: BodyResult): unknown {
  if (!result.ok) return result;
  const { metadata, head: _, classes, ...detail } = result;
  return { metadata: [...metadata], classes: [...classes], ...detail };
}
