/**
 * Dubbo codec: routing a typical invocation (four arguments, one a nested Java object, and
 * seven attachments) versus hessian.js decoding the same body fully.
 *
 * Before each iteration of either side a counter is written into the `x-request-id`
 * attachment of its input, so every decode sees a fresh value, as in live traffic. Our side
 * is `decode()` plus what a router reads: `interface`, `method` and one user attachment
 * (`group`); the reference reads every value of the body with hessian.js DecoderV2. A
 * second pair does the same for a call whose arguments are Chinese text (strings that are
 * not ASCII must be scanned character by character, and take the codec's exact walk).
 *
 * Run: `deno bench --allow-all bench/codec_dubbo_bench.ts`
 */
import hessian from "hessian.js";
import { dubboCodec } from "../codecs/dubbo/mod.ts";
import { requestFrame, typicalRequest } from "../codecs/dubbo/_testing.ts";

const UUID = "4f2a1c9e-5b7d-4e1a-9c3f-2b8d6e0a7f11";
const frame = typicalRequest(42n, UUID);
const body = Buffer.from(frame.subarray(16));
// version, path, service version, method, parameter types, 4 arguments, attachments
const VALUES = 10;
const frameAt = Buffer.from(frame).indexOf(UUID);
const bodyAt = body.indexOf(UUID);
const HEX = new TextEncoder().encode("0123456789abcdef");

/** Writes `n` as 8 hex digits at `at`, spread over the UUID's first and last groups. */
function stamp(bytes: Uint8Array, at: number, n: number): void {
  for (let i = 0; i < 8; i++) {
    const digit = HEX[(n >>> (i * 4)) & 15];
    bytes[at + i] = digit;
    bytes[at + 35 - i] = digit;
  }
}

const check = dubboCodec.decode(frame);
if (
  check.kind !== "message" || check.message.metadata.get("x-request-id") !== UUID ||
  check.message.metadata.get("group") !== "blue"
) {
  throw new Error("Cannot run the Dubbo benchmark: the typical request does not decode");
}

let n = 0;
Deno.bench("dubboCodec.decode() + get(interface, method, group)", {
  group: "dubbo",
  baseline: true,
}, () => {
  stamp(frame, frameAt, n++);
  const result = dubboCodec.decode(frame);
  if (result.kind !== "message") throw new Error("Cannot decode the benchmark frame");
  const metadata = result.message.metadata;
  const found = metadata.get("interface")!.length + metadata.get("method")!.length +
    metadata.get("group")!.length;
  if (found !== 53) throw new Error("Unexpected routing metadata");
});

let m = 0;
Deno.bench("hessian.js DecoderV2 full body decode", { group: "dubbo" }, () => {
  stamp(body, bodyAt, m++);
  const decoder = new hessian.DecoderV2(body);
  for (let i = 0; i < VALUES; i++) decoder.read();
});

// The same call with arguments in Chinese, as much Dubbo traffic carries: every string that
// is not ASCII must be scanned, and the optimistic walk gives way to the exact one.
const unicodeFrame = requestFrame({
  path: "org.apache.dubbo.samples.api.GreetingService",
  version: "1.0.0",
  method: "greet",
  types: "Ljava/lang/String;Lorg/apache/dubbo/samples/api/Person;IJ",
  args: [
    "你好",
    {
      $class: "org.apache.dubbo.samples.api.Person",
      $: { name: "张三", age: 36, email: "zhang@example.com", tags: ["数学", "引擎"] },
    },
    3,
    { $class: "long", $: 1234567890123 },
  ],
  attachments: { interface: "org.apache.dubbo.samples.api.GreetingService", group: "blue" },
});
const unicodeBody = Buffer.from(unicodeFrame.subarray(16));

Deno.bench("dubboCodec.decode() + get(interface, method, group), Chinese arguments", {
  group: "dubbo-unicode",
  baseline: true,
}, () => {
  const result = dubboCodec.decode(unicodeFrame);
  if (result.kind !== "message") throw new Error("Cannot decode the benchmark frame");
  const metadata = result.message.metadata;
  const found = metadata.get("interface")!.length + metadata.get("method")!.length +
    metadata.get("group")!.length;
  if (found !== 53) throw new Error("Unexpected routing metadata");
});

Deno.bench("hessian.js DecoderV2 full body decode, Chinese arguments", {
  group: "dubbo-unicode",
}, () => {
  const decoder = new hessian.DecoderV2(unicodeBody);
  for (let i = 0; i < 10; i++) decoder.read();
});

const message = check.message;
const mutation = new Map([["x-envoy-peer", "sidecar~10.0.0.7~reviews-v1"]]);

Deno.bench("dubboCodec.encode() one new attachment", { group: "dubbo-encode" }, () => {
  dubboCodec.encode(message, mutation);
});
