/**
 * Test helpers: Dubbo frames whose bodies are written by hessian.js, a real Hessian 2 peer.
 * Imported by tests only.
 *
 * @module
 */

import hessian from "hessian.js";
import assert from "node:assert/strict";
import type { DecodeResult, Message } from "../codec.ts";

/** Encodes `values` in sequence with one hessian.js encoder (class definitions shared). */
export function hessianBody(...values: unknown[]): Uint8Array {
  const encoder = new hessian.EncoderV2();
  for (const v of values) encoder.write(v);
  return new Uint8Array(encoder.get());
}

/** Decodes `count` values in sequence with hessian.js. */
export function hessianRead(bytes: Uint8Array, count: number): unknown[] {
  const decoder = new hessian.DecoderV2(Buffer.from(bytes));
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(decoder.read());
  return out;
}

/** Frames a body behind a Dubbo header. */
export function dubboFrame(flag: number, status: number, id: bigint, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xdabb);
  out[2] = flag;
  out[3] = status;
  view.setBigInt64(4, id);
  view.setInt32(12, body.length);
  out.set(body, 16);
  return out;
}

/** The parts of a request body. */
export interface RequestParts {
  readonly path?: string;
  readonly version?: string;
  readonly method?: string;
  readonly types?: string;
  readonly args?: readonly unknown[];
  /** `undefined` leaves the attachment map out, as old clients do. */
  readonly attachments?: Record<string, unknown> | Map<unknown, unknown>;
}

/** A two-way request frame (flag 0xc2) whose body hessian.js wrote. */
export function requestFrame(parts: RequestParts, id = 7n, flag = 0xc2): Uint8Array {
  const values: unknown[] = [
    "2.0.2",
    parts.path ?? "com.example.Greeter",
    parts.version ?? "1.0.0",
    parts.method ?? "sayHello",
    parts.types ?? "Ljava/lang/String;",
    ...(parts.args ?? ["world"]),
  ];
  if (parts.attachments !== undefined) values.push(parts.attachments);
  return dubboFrame(flag, 0, id, hessianBody(...values));
}

/** The typical invocation of the tests and the benchmark: a few arguments, attachments. */
export function typicalRequest(
  id = 42n,
  requestUuid = "4f2a1c9e-5b7d-4e1a-9c3f-2b8d6e0a7f11",
): Uint8Array {
  return requestFrame({
    path: "org.apache.dubbo.samples.api.GreetingService",
    version: "1.0.0",
    method: "greet",
    types: "Ljava/lang/String;Lorg/apache/dubbo/samples/api/Person;IJ",
    args: [
      "hello",
      {
        $class: "org.apache.dubbo.samples.api.Person",
        $: {
          name: "Ada",
          age: 36,
          email: "ada@example.com",
          tags: ["math", "engines"],
          address: {
            $class: "org.apache.dubbo.samples.api.Address",
            $: { city: "London", zip: "W1", lines: ["12 St James's Square"] },
          },
          born: new Date(Date.UTC(1815, 11, 10)),
          score: 98.5,
        },
      },
      3,
      { $class: "long", $: 1234567890123 },
    ],
    attachments: {
      path: "org.apache.dubbo.samples.api.GreetingService",
      interface: "org.apache.dubbo.samples.api.GreetingService",
      version: "1.0.0",
      group: "blue",
      timeout: "3000",
      dubbo: "2.0.2",
      "x-request-id": requestUuid,
    },
  }, id);
}

/** Asserts `result` is a message and returns it. */
export function expectMessage(result: DecodeResult): Message {
  if (result.kind !== "message") assert.fail(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads Dubbo frames from `conn` as they arrive; ends when the connection does. */
export async function* dubboFrames(conn: Deno.Conn): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  while (true) {
    while (buf.length >= 16) {
      const size = 16 + new DataView(buf.buffer, buf.byteOffset).getInt32(12);
      if (buf.length < size) break;
      yield buf.slice(0, size);
      buf = buf.slice(size);
    }
    const n = await conn.read(chunk).catch(() => null);
    if (n === null) return;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  }
}
