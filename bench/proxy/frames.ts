/**
 * The frames the proxy benchmark sends and answers with. The load generators and echo
 * servers (Go in `peer/`, Deno in `deno_peer.ts`) only stamp request ids into copies of
 * these, so what goes on the wire is exactly what the tests beside this file check with the
 * project's codecs and with hessian.js.
 *
 * @module
 */
import { dubboFrame, hessianBody, typicalRequest } from "../../codecs/dubbo/_testing.ts";

/** Size of the Thrift call on the wire, frame length prefix included. */
export const THRIFT_CALL_SIZE = 128;
/** The method the Thrift calls name (what the proxy's route matches). */
export const THRIFT_METHOD = "echo";
/** The interface and method of the Dubbo calls (what the proxy's route matches). */
export const DUBBO_SERVICE = "org.apache.dubbo.samples.api.GreetingService";
export const DUBBO_METHOD = "greet";

/**
 * A framed strict-binary CALL of `string echo(1: string msg)`, exactly `size` bytes on the
 * wire: 4-byte frame length, message header, one string field, field stop.
 */
export function thriftCall(seqid = 1, size = THRIFT_CALL_SIZE): Uint8Array {
  const name = new TextEncoder().encode(THRIFT_METHOD);
  const fixed = 4 + 4 + 4 + name.length + 4 + 3 + 4 + 1;
  const payload = size - fixed;
  if (payload < 0) {
    throw new RangeError(`Cannot build a Thrift call of ${size} bytes: minimum is ${fixed}`);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint32(at, size - 4);
  view.setUint32(at += 4, 0x80010001); // strict binary, version 1, CALL
  view.setUint32(at += 4, name.length);
  out.set(name, at += 4);
  view.setInt32(at += name.length, seqid);
  out[at += 4] = 11; // field type string
  view.setInt16(at += 1, 1); // field id 1
  view.setUint32(at += 2, payload);
  out.fill(0x61, at += 4, at + payload); // "aaaa…"
  out[at + payload] = 0; // field stop
  return out;
}

/**
 * The reply an echo server gives to {@link thriftCall}'s frame: the same bytes with the
 * message type REPLY and the field renamed 0 (the result struct's `success`).
 */
export function thriftReplyTo(call: Uint8Array): Uint8Array {
  const out = call.slice();
  out[7] = 2;
  const nameLength = new DataView(out.buffer).getUint32(8);
  out[12 + nameLength + 4 + 2] = 0;
  return out;
}

/** A typical two-way Dubbo call (four arguments, one a nested object, seven attachments). */
export function dubboCall(id = 1n): Uint8Array {
  return typicalRequest(id);
}

/**
 * The Dubbo provider's answer: status 20 (OK), body written by hessian.js as Dubbo 2.0.2
 * writes a value with attachments (`RESPONSE_VALUE_WITH_ATTACHMENTS` = 4, value, map).
 */
export function dubboReply(id = 1n): Uint8Array {
  const body = hessianBody(4, "Hello Ada, from the benchmark provider", { dubbo: "2.0.2" });
  return dubboFrame(0x02, 20, id, body);
}
