/**
 * RDS through the running proxy: a bootstrap whose listener takes its routes from a grpc-js
 * xDS server; route tables pushed while npm `thrift` clients keep calling over the same
 * connections switch where calls go, a NACKed table changes nothing, and no call fails.
 */
import assert from "node:assert/strict";
import { connectClient, STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import { loadBootstrapText } from "../proxy/bootstrap/mod.ts";
import { startXdsServer } from "../proxy/rds/_test_xds_server.ts";
import { runBootstrap } from "../proxy/server/run.ts";

const STACK = STACKS[0];
const MPP = "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";

function cluster(name: string, port: number) {
  return {
    name,
    type: "STATIC",
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: name,
      endpoints: {
        lb_endpoints: {
          endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: port } } },
        },
      },
    },
  };
}

function routes(name: string, to: string) {
  return {
    name,
    virtual_hosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{
        name: "r",
        match: { prefix: "/", headers: [{ name: "method", exact_match: "sayHello" }] },
        route: { cluster: to },
      }],
    }],
  };
}

Deno.test("RDS tables pushed during traffic switch live connections, and a NACK changes nothing", async () => {
  const a = await startServer(STACK, {
    sayHello: (_req, result) => result(null, "from a"),
    ping: () => {},
  });
  const b = await startServer(STACK, {
    sayHello: (_req, result) => result(null, "from b"),
    ping: () => {},
  });
  const xds = await startXdsServer();
  const bootstrap = {
    node: { id: "proxy-1", cluster: "test" },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    static_resources: {
      listeners: {
        name: "thrift",
        address: { socket_address: { address: "127.0.0.1", port_value: 0 } },
        filter_chains: {
          filters: {
            name: "envoy.filters.network.meta_protocol_proxy",
            typed_config: {
              "@type": MPP,
              statPrefix: "svc",
              protocol: {
                name: "thrift",
                codec: { name: "aeraki.meta_protocol.codec.thrift" },
                multiplexing: true,
              },
              rds: {
                route_config_name: "svc_9090",
                config_source: {
                  api_config_source: {
                    api_type: "GRPC",
                    transport_api_version: "V3",
                    grpc_services: { envoy_grpc: { cluster_name: "xds" } },
                  },
                },
              },
            },
          },
        },
      },
      clusters: [cluster("xds", xds.port), cluster("a", a.port), cluster("b", b.port)],
    },
  };
  const loaded = loadBootstrapText(JSON.stringify(bootstrap), { file: "rds.json" });
  assert.ok(loaded.ok, loaded.problems.map((p) => p.message).join("\n"));
  const logs: string[] = [];
  const running = await runBootstrap(loaded.config, { log: (l) => logs.push(l) });
  const port = running.proxy.ports.get("thrift")!;
  const clients = await Promise.all([1, 2, 3, 4].map(() => connectClient(STACK, port)));
  const callAll = () =>
    Promise.all(clients.map(({ client }) => client.sayHello(new Req({ name: "x" }))));
  const waitFor = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ok(), `timed out waiting for ${what}`);
  };
  try {
    xds.push("1", [routes("svc_9090", "a")]);
    await waitFor("v1", () => running.proxy.routeTables().get("svc_9090")?.version === "1");
    assert.deepEqual(await callAll(), ["from a", "from a", "from a", "from a"]);
    let failures = 0;
    for (let v = 2; v <= 41; v++) {
      const to = v % 2 === 0 ? "b" : "a";
      xds.push(String(v), [routes("svc_9090", to)]);
      await waitFor(
        `v${v}`,
        () => running.proxy.routeTables().get("svc_9090")?.version === String(v),
      );
      const replies = await callAll().catch(() => (failures++, []));
      assert.deepEqual(replies, [1, 2, 3, 4].map(() => `from ${to}`));
    }
    assert.equal(failures, 0);
    // A table naming an unparseable regex is NACKed; calls keep going to the last good table.
    xds.push("bad", [{
      ...routes("svc_9090", "b"),
      virtual_hosts: [{
        routes: [{
          match: { prefix: "/", headers: [{ name: "m", safe_regex_match: { regex: "(" } }] },
          route: { cluster: "b" },
        }],
      }],
    }]);
    await waitFor(
      "the NACK",
      () =>
        xds.requests.some((r) =>
          (r.error_detail as { message?: string } | undefined)?.message !== undefined
        ),
    );
    assert.deepEqual(await callAll(), ["from a", "from a", "from a", "from a"]);
    assert.match(logs.join("\n"), /RDS update "bad" rejected \(NACK\)/);
    const dump = JSON.parse(
      await (await fetch(`http://127.0.0.1:${running.admin!.port}/config_dump`)).text(),
    );
    const dynamic = dump.configs.at(-1).dynamic_route_configs[0];
    assert.equal(dynamic.version_info, "41");
    assert.equal(dynamic.client_status, "NACKED");
    assert.match(dynamic.error_state.details, /regex/);
    const stats = running.proxy.stats.snapshot().counters;
    assert.equal(stats.get("meta_protocol.thrift.svc.rds.svc_9090.config_reload"), 41);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await running.drain();
    await xds.close();
    await a.close();
    await b.close();
  }
});
