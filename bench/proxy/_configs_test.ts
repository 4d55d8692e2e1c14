import assert from "node:assert/strict";
import { haproxyConfig, oursBootstrap } from "./_configs.ts";

const ports = { thrift: 19090, dubbo: 19091, thriftUpstream: 19190, dubboUpstream: 19191 };

function haproxyBinary(): string | undefined {
  return ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
}

Deno.test({
  name: "haproxyConfig() is a TCP-mode config that haproxy itself accepts",
  ignore: !haproxyBinary(),
  fn() {
    const dir = Deno.makeTempDirSync();
    const text = haproxyConfig(ports, { nbthread: 1 });
    assert.match(text, /^\s+mode tcp$/m);
    assert.match(text, /^\s+nbthread 1$/m);
    Deno.writeTextFileSync(`${dir}/h.cfg`, text);
    const out = new Deno.Command(haproxyBinary()!, {
      args: ["-c", "-f", `${dir}/h.cfg`],
      stderr: "piped",
    })
      .outputSync();
    Deno.removeSync(dir, { recursive: true });
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  },
});

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("oursBootstrap() routes each listener to its own upstream with the chosen pool", () => {
  const b: Json = JSON.parse(
    JSON.stringify(oursBootstrap(ports, { multiplexing: false, adminPort: 15000 })),
  );
  const upstreamOf = new Map<string, number>();
  for (const c of b.static_resources.clusters) {
    upstreamOf.set(
      c.name,
      c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value,
    );
  }
  const routed = b.static_resources.listeners.map((l: Json) => {
    const config = l.filter_chains[0].filters[0].typed_config;
    assert.equal(config.protocol.multiplexing, false);
    assert.equal(config.meta_protocol_filters.at(-1).name, "aeraki.meta_protocol.filters.router");
    return [
      l.address.socket_address.port_value,
      upstreamOf.get(config.route_config.routes[0].route.cluster),
    ];
  });
  assert.deepEqual(routed, [[19090, 19190], [19091, 19191]]);
});
