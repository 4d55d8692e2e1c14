import assert from "node:assert/strict";
import type { Codec } from "./codec.ts";
import { CodecRegistry, defaultCodecs, defaultRegistry } from "./registry.ts";

function fakeCodec(name: string, protocol: string): Codec {
  return {
    name,
    protocol,
    decode: () => ({ kind: "need-more" }),
    encode: (m) => ({ kind: "ok", bytes: m.frame }),
    errorReply: () => new Uint8Array(),
    heartbeatReply: () => undefined,
  };
}

Deno.test("defaultRegistry() finds the built-in codecs by name and by protocol", () => {
  const registry = defaultRegistry();
  for (const protocol of ["brpc", "dubbo", "thrift", "trpc"]) {
    const name = `aeraki.meta_protocol.codec.${protocol}`;
    assert.equal(registry.get(name)?.protocol, protocol);
    assert.equal(registry.forProtocol(protocol)?.name, name);
    assert.equal(registry.forProtocol(protocol.toUpperCase())?.name, name);
  }
  assert.deepEqual(registry.protocols(), ["brpc", "dubbo", "thrift", "trpc"]);
  assert.equal(registry.list().length, defaultCodecs().length);
});

Deno.test("CodecRegistry.get() returns undefined for unknown names", () => {
  const registry = defaultRegistry();
  assert.equal(registry.get("aeraki.meta_protocol.codec.kafka"), undefined);
  assert.equal(registry.forProtocol("kafka"), undefined);
  assert.equal(registry.get("trpc"), undefined, "names are not protocols");
});

Deno.test("CodecRegistry.register() adds custom codecs and replaces by name or protocol", () => {
  const registry = new CodecRegistry();
  assert.deepEqual(registry.list(), []);
  const brpc = fakeCodec("example.codec.brpc", "brpc");
  registry.register(brpc).register(fakeCodec("example.codec.echo", "echo"));
  assert.equal(registry.forProtocol("brpc"), brpc);
  assert.deepEqual(registry.list().map((c) => c.name), [
    "example.codec.brpc",
    "example.codec.echo",
  ]);
  const brpc2 = fakeCodec("example.codec.brpc2", "BRPC");
  registry.register(brpc2);
  assert.equal(registry.forProtocol("brpc"), brpc2);
  assert.equal(registry.get("example.codec.brpc"), undefined);
  const renamed = fakeCodec("example.codec.echo", "echo2");
  registry.register(renamed);
  assert.equal(registry.forProtocol("echo"), undefined);
  assert.equal(registry.get("example.codec.echo"), renamed);
  assert.deepEqual(registry.protocols(), ["BRPC", "echo2"]);
});

Deno.test("defaultRegistry() returns independent registries", () => {
  const a = defaultRegistry();
  a.register(fakeCodec("aeraki.meta_protocol.codec.trpc", "trpc"));
  assert.notEqual(defaultRegistry().forProtocol("trpc"), a.forProtocol("trpc"));
});
