import assert from "node:assert/strict";
import { checkCodec } from "../../codecs/conformance.ts";
import { kvCodec, kvFrame } from "./kv_codec.ts";

const body = new TextEncoder().encode('{"name":"Ada"}');
const samples = [
  {
    side: "request" as const,
    bytes: kvFrame(1, 7, [["Service", "Greeter"], ["method", "Hello"], ["zone", "eu-1"]], body),
  },
  { side: "request" as const, bytes: kvFrame(5, 8, [["service", "Audit"], ["method", "Log"]]) },
  { side: "request" as const, bytes: kvFrame(3, 9, []) },
  { side: "response" as const, bytes: kvFrame(2, 7, [["status", "ok"]], body) },
  { side: "response" as const, bytes: kvFrame(2, 7, [["status", "busy"], ["retry", "1s"]]) },
];

Deno.test("the example KV-RPC codec conforms to the codec contract", () => {
  checkCodec(kvCodec, samples);
});

Deno.test("the example KV-RPC codec routes on its header lines", () => {
  const result = kvCodec.decode(samples[0].bytes);
  assert.equal(result.kind, "message");
  if (result.kind !== "message") return;
  const m = result.message;
  assert.equal(m.type, "request");
  assert.equal(m.requestId, 7n);
  assert.equal(m.operation, "Greeter/Hello");
  assert.deepEqual(Object.fromEntries(m.metadata), {
    service: "Greeter",
    method: "Hello",
    zone: "eu-1",
  });
  const failed = kvCodec.decode(samples[4].bytes, { side: "response" });
  assert.ok(failed.kind === "message" && failed.message.status === "error");
});

Deno.test("the conformance kit catches a codec that breaks the contract", () => {
  // A codec that copies its frames instead of viewing the input: the kit names the fault.
  const copying = {
    ...kvCodec,
    decode(input: Uint8Array) {
      const r = kvCodec.decode(input);
      return r.kind === "message"
        ? { ...r, message: { ...r.message, frame: r.message.frame.slice() } }
        : r;
    },
  };
  assert.throws(() => checkCodec(copying, samples), /must be a view of the input/);
  // A codec that loses the other headers when it writes a mutation.
  const lossy = {
    ...kvCodec,
    encode(
      m: Parameters<typeof kvCodec.encode>[0],
      mutation: Parameters<typeof kvCodec.encode>[1],
    ) {
      if (mutation.size === 0) return kvCodec.encode(m, mutation);
      return { kind: "ok" as const, bytes: kvFrame(1, Number(m.requestId), [...mutation]) };
    },
  };
  assert.throws(() => checkCodec(lossy, samples), /encode\(\) lost "service"/);
});
