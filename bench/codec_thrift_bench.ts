/**
 * Routing metadata from a typical Thrift call (framed binary, one struct argument with a
 * string, an i32, a list and a map): our codec's decode versus the Apache Thrift Node
 * library fully reading the same message (readMessageBegin, the args struct, readMessageEnd),
 * the way its server does for every frame.
 *
 * Run: `deno bench --allow-all bench/codec_thrift_bench.ts`
 *
 * @module
 */
import thrift from "thrift";
import { Buffer } from "node:buffer";
import { thriftCodec } from "../codecs/thrift/mod.ts";
import { libCall, STACKS } from "../codecs/thrift/_test_peer.ts";
import { HelloArgs, Req, type TProtocol } from "../codecs/thrift/_test_service.ts";

const framedBinary = STACKS.find((s) => s.name === "framed/binary")!;
const frame = libCall(framedBinary, {
  method: "getUserProfile",
  seqid: 12345,
  req: new Req({
    name: "user-4711@example.com",
    count: 25,
    tags: ["premium", "eu-west", "beta", "mobile"],
    scores: new Map([["reputation", 982], ["posts", 1204], ["followers", 56123]]),
  }),
});
const payload = Buffer.from(frame.subarray(4));

const TFramedTransport = thrift.TFramedTransport as new (buf: Buffer) => unknown;
const TBinaryProtocol = thrift.TBinaryProtocol as new (t: unknown) => TProtocol;

let sink = 0;

Deno.bench({
  name: "apache thrift TBinaryProtocol: full read of the call",
  group: "thrift framed binary call",
  baseline: true,
  fn() {
    const input = new TBinaryProtocol(new TFramedTransport(payload));
    const begin = input.readMessageBegin();
    const args = new HelloArgs();
    args.read(input);
    input.readMessageEnd();
    sink += begin.rseqid + begin.fname.length + (args.req?.count ?? 0);
  },
});

Deno.bench({
  name: "thriftCodec.decode(): routing metadata of the call",
  group: "thrift framed binary call",
  fn() {
    const result = thriftCodec.decode(frame);
    if (result.kind === "message") sink += result.message.metadata.get("method")!.length;
  },
});

Deno.bench({
  name: "thriftCodec.decode(): the same call unframed (body walked to find the end)",
  group: "thrift framed binary call",
  fn() {
    const result = thriftCodec.decode(frame.subarray(4));
    if (result.kind === "message") sink += result.bytesConsumed;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === 0) console.log("nothing decoded");
});
