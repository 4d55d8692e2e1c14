import assert from "node:assert/strict";
import { Effect } from "effect";
import { proxyScoped, startProxy } from "./proxy.ts";
import { testModel } from "./_testing.ts";

const model = testModel("aeraki.meta_protocol.codec.thrift", "thrift", [], []);

Deno.test("proxyScoped() binds the listeners and closes them with the scope", async () => {
  const port = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const proxy = yield* proxyScoped(model);
    const p = proxy.ports.get("test")!;
    const conn = yield* Effect.promise(() => Deno.connect({ hostname: "127.0.0.1", port: p }));
    conn.close();
    return p;
  })));
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }), "closed with the scope");
});

Deno.test("proxyScoped() fails with ProxyStartError naming an unknown codec", async () => {
  const bad = testModel("nope.codec", "nope", [], []);
  const error = await Effect.runPromise(Effect.flip(Effect.scoped(proxyScoped(bad))));
  assert.equal(error._tag, "ProxyStartError");
  assert.equal(error.message, 'Cannot start listener "test": unknown codec "nope.codec"');
});

Deno.test("startProxy() rejects a port already in use with a clear error", async () => {
  const first = await startProxy(model);
  const taken = first.ports.get("test")!;
  const second = testModel("aeraki.meta_protocol.codec.thrift", "thrift", [], [], { port: taken });
  await assert.rejects(startProxy(second), {
    name: "ProxyStartError",
    message:
      `Cannot start listener "test" on 127.0.0.1:${taken}: Address already in use (os error 98)`,
  });
  await first.close();
});
