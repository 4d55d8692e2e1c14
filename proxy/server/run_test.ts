import assert from "node:assert/strict";
import { Effect } from "effect";
import { loadBootstrapText } from "../bootstrap/mod.ts";
import { runBootstrapScoped } from "./mod.ts";

const MPP = "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";

function bootstrap(port: number) {
  const r = loadBootstrapText(JSON.stringify({
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    static_resources: {
      listeners: [{
        name: "l",
        address: { socket_address: { address: "127.0.0.1", port_value: port } },
        filter_chains: [{
          filters: [{
            name: "aeraki.meta_protocol_proxy",
            typed_config: {
              "@type": MPP,
              stat_prefix: "s",
              protocol: { name: "thrift", codec: { name: "aeraki.meta_protocol.codec.thrift" } },
              route_config: { routes: [] },
            },
          }],
        }],
      }],
    },
  }));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

Deno.test("runBootstrapScoped() drains the proxy and closes the admin server when the scope closes", async () => {
  const ports = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const running = yield* runBootstrapScoped(bootstrap(0), { log: () => {} });
    const res = yield* Effect.promise(() => fetch(`http://127.0.0.1:${running.admin!.port}/ready`));
    assert.equal(yield* Effect.promise(() => res.text()), "LIVE\n");
    return { listener: running.proxy.ports.get("l")!, admin: running.admin!.port };
  })));
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: ports.listener }));
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: ports.admin }));
});

Deno.test("runBootstrapScoped() fails with ProxyRunError when a port is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const exit = await Effect.runPromise(
      Effect.scoped(
        runBootstrapScoped(bootstrap((taken.addr as Deno.NetAddr).port), { log: () => {} }),
      ).pipe(
        Effect.flip,
      ),
    );
    assert.equal(exit._tag, "ProxyRunError");
    assert.match(exit.message, /^Cannot start the proxy: /);
  } finally {
    taken.close();
  }
});
