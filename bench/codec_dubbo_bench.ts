/**
 * Dubbo codec: extracting the routing metadata of a typical invocation (a few arguments, one
 * a nested object, and attachments) versus hessian.js decoding the same body fully.
 *
 * Run: `deno bench --allow-all bench/codec_dubbo_bench.ts`
 */
import hessian from "hessian.js";
import { dubboCodec } from "../codecs/dubbo/mod.ts";
import { typicalRequest } from "../codecs/dubbo/_testing.ts";

const frame = typicalRequest();
const body = Buffer.from(frame.subarray(16));
// version, path, service version, method, types, 4 arguments, attachments
const VALUES = 10;

const check = dubboCodec.decode(frame);
if (check.kind !== "message" || check.message.metadata.get("group") !== "blue") {
  throw new Error("Cannot run the Dubbo benchmark: the typical request does not decode");
}

Deno.bench("dubboCodec.decode() routing metadata", { group: "dubbo", baseline: true }, () => {
  const result = dubboCodec.decode(frame);
  if (result.kind !== "message") throw new Error("Cannot decode the benchmark frame");
});

Deno.bench("hessian.js DecoderV2 full body decode", { group: "dubbo" }, () => {
  const decoder = new hessian.DecoderV2(body);
  for (let i = 0; i < VALUES; i++) decoder.read();
});

const mutation = new Map([["x-request-id", "0d4b1c2e-9f7a-4c1b-8e5d-3a6f2b9c7e10"]]);
const message = check.message;

Deno.bench("dubboCodec.encode() with one attachment", { group: "dubbo-encode" }, () => {
  dubboCodec.encode(message, mutation);
});
