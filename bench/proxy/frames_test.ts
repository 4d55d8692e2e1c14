import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import thrift from "thrift";
import hessian from "hessian.js";
import { dubboCodec } from "../../codecs/dubbo/mod.ts";
import { thriftCodec } from "../../codecs/thrift/mod.ts";
import { expectMessage } from "../../codecs/dubbo/_testing.ts";
import { protoByName } from "./_peer_proto.ts";
import {
  DUBBO_METHOD,
  DUBBO_SERVICE,
  dubboCall,
  dubboReply,
  THRIFT_CALL_SIZE,
  THRIFT_METHOD,
  thriftCall,
  thriftReplyTo,
} from "./frames.ts";

interface LibProtocol {
  readMessageBegin(): { fname: string; mtype: number; rseqid: number };
  readStructBegin(): void;
  readFieldBegin(): { ftype: number; fid: number };
  readString(): string;
}

/** Reads a framed binary message with the npm thrift library, as a generated client would. */
function libRead(bytes: Uint8Array) {
  let out: {
    fname: string;
    mtype: number;
    rseqid: number;
    ftype: number;
    fid: number;
    value: string;
  } | undefined;
  const framed = thrift.TFramedTransport as unknown as {
    receiver(cb: (t: unknown) => void): (data: Buffer) => void;
  };
  const Binary = thrift.TBinaryProtocol as unknown as new (t: unknown) => LibProtocol;
  framed.receiver((transport) => {
    const p = new Binary(transport);
    const begin = p.readMessageBegin();
    p.readStructBegin();
    const field = p.readFieldBegin();
    out = {
      fname: String(begin.fname),
      mtype: begin.mtype,
      rseqid: begin.rseqid,
      ftype: field.ftype,
      fid: field.fid,
      value: p.readString(),
    };
  })(Buffer.from(bytes));
  if (!out) throw new Error("The thrift library read no message");
  return out;
}

Deno.test("thriftCall() is a 128-byte framed binary call the codec routes by method", () => {
  const call = thriftCall(77);
  assert.equal(call.length, THRIFT_CALL_SIZE);
  const result = thriftCodec.decode(call);
  assert.equal(result.kind, "message");
  const message = expectMessage(result);
  assert.equal(message.type, "request");
  assert.equal(message.requestId, 77n);
  assert.equal(message.metadata.get("method"), THRIFT_METHOD);
  assert.equal(message.frame.length, THRIFT_CALL_SIZE);
});

Deno.test("thriftReplyTo() is a reply the thrift library reads as echo's result", () => {
  const reply = thriftReplyTo(thriftCall(9));
  const message = expectMessage(thriftCodec.decode(reply));
  assert.equal(message.type, "response");
  assert.equal(message.status, "ok");
  assert.equal(message.requestId, 9n);
  const read = libRead(reply);
  assert.deepEqual([read.fname, read.mtype, read.rseqid, read.fid, read.ftype], [
    "echo",
    2,
    9,
    0,
    11,
  ]);
  assert.equal(read.value, "a".repeat(100));
});

Deno.test("protoByName() Deno peer answers a Thrift call with thriftReplyTo's bytes", () => {
  const call = thriftCall(5);
  const out = new Uint8Array(256);
  const end = protoByName("thrift").reply(out, 3, call);
  assert.deepEqual(out.subarray(3, end), thriftReplyTo(call));
});

Deno.test("dubboCall() and dubboReply() decode as a routable call and its OK response", () => {
  const call = expectMessage(dubboCodec.decode(dubboCall(12n)));
  assert.equal(call.type, "request");
  assert.equal(call.requestId, 12n);
  assert.equal(call.metadata.get("interface"), DUBBO_SERVICE);
  assert.equal(call.metadata.get("method"), DUBBO_METHOD);
  const reply = expectMessage(dubboCodec.decode(dubboReply(12n)));
  assert.equal(reply.type, "response");
  assert.equal(reply.status, "ok");
  assert.equal(reply.requestId, 12n);
  const decoder = new hessian.DecoderV2(Buffer.from(dubboReply().subarray(16)));
  assert.deepEqual([decoder.read(), decoder.read()], [4, "Hello Ada, from the benchmark provider"]);
});

Deno.test("protoByName() Deno peer stamps the call's id into the Dubbo reply and answers heartbeats", () => {
  const dubbo = protoByName("dubbo");
  const out = new Uint8Array(1024);
  const end = dubbo.reply(out, 0, dubboCall(99n), dubboReply(1n));
  assert.deepEqual(out.subarray(0, end), dubboReply(99n));
  const heartbeat = new Uint8Array([0xda, 0xbb, 0xe2, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, 0x4e]);
  const hbEnd = dubbo.reply(out, 0, heartbeat);
  const answer = expectMessage(dubboCodec.decode(out.subarray(0, hbEnd)));
  assert.equal(answer.type, "heartbeat");
  assert.equal(answer.requestId, 7n);
});
