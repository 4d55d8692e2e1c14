import assert from "node:assert/strict";
import { loadBootstrapText } from "../bootstrap/mod.ts";
import type { CompiledBootstrap } from "../bootstrap/mod.ts";
import type { RouteTableModel } from "../config/model.ts";
import type { Msg } from "../grpc/mod.ts";
import { MemoryStats } from "../stats.ts";
import { startXds } from "./client.ts";
import { startXdsServer } from "./_test_xds_server.ts";

const MPP = "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";

function compiled(xdsPort: number, ads = false): CompiledBootstrap {
  const api = {
    api_type: "GRPC",
    transport_api_version: "V3",
    grpc_services: [{ envoy_grpc: { cluster_name: "xds" } }],
  };
  const json = {
    node: { id: "node-1", cluster: "c1", metadata: { NAMESPACE: "ns" } },
    ...(ads ? { dynamic_resources: { ads_config: api } } : {}),
    static_resources: {
      listeners: [{
        name: "l",
        address: { socket_address: { address: "127.0.0.1", port_value: 0 } },
        filter_chains: [{
          filters: [{
            name: "aeraki.meta_protocol_proxy",
            typed_config: {
              "@type": MPP,
              stat_prefix: "svc",
              protocol: { name: "thrift", codec: { name: "aeraki.meta_protocol.codec.thrift" } },
              rds: {
                route_config_name: "svc_9090",
                config_source: ads ? { ads: {} } : { api_config_source: api },
              },
            },
          }],
        }],
      }],
      clusters: [{
        name: "xds",
        load_assignment: {
          cluster_name: "xds",
          endpoints: [{
            lb_endpoints: [{
              endpoint: {
                address: { socket_address: { address: "127.0.0.1", port_value: xdsPort } },
              },
            }],
          }],
        },
      }],
    },
  };
  const r = loadBootstrapText(JSON.stringify(json), { file: "t.json" });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

function routeConfig(name: string, cluster: string, extra: Msg = {}): Msg {
  return {
    name,
    virtual_hosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{
        name: "r",
        match: { prefix: "/", headers: [{ name: "method", exact_match: "sayHello" }] },
        route: { cluster },
        ...extra,
      }],
    }],
  };
}

function fakeProxy() {
  const tables: RouteTableModel[] = [];
  return {
    tables,
    stats: new MemoryStats(),
    updateRoutes: (t: RouteTableModel) => void tables.push(t),
    updateClusters: () => {},
  };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

for (const ads of [false, true]) {
  Deno.test(`startXds() subscribes by name over ${ads ? "ADS" : "RDS"}, applies tables, ACKs and NACKs`, async () => {
    const xds = await startXdsServer();
    const proxy = fakeProxy();
    const rds = startXds(compiled(xds.port, ads), { proxy, log: () => {}, baseBackoffMs: 20 });
    try {
      await until("the subscription", () => xds.requests.length > 0);
      const first = xds.requests[0];
      assert.deepEqual(first.resource_names, ["svc_9090"]);
      assert.equal(first.type_url, "type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
      assert.equal((first.node as Msg).id, "node-1");
      xds.push("v1", [routeConfig("svc_9090", "outbound|9090||a")]);
      await until("the ACK of v1", () => xds.requests.some((r) => r.version_info === "v1"));
      assert.equal(proxy.tables.length, 1);
      assert.deepEqual(proxy.tables[0], {
        name: "svc_9090",
        version: "v1",
        routes: [{
          name: "r",
          match: [{ name: "method", match: { kind: "exact", value: "sayHello" } }],
          action: {
            target: { kind: "cluster", name: "outbound|9090||a" },
            hashPolicy: [],
            mirrors: [],
          },
          requestMutation: [],
          responseMutation: [],
        }],
      });
      const ack = xds.requests.at(-1)!;
      assert.equal(ack.response_nonce, "1");
      assert.equal(ack.error_detail, undefined);
      // A bad update is NACKed with the error; the last good table stays.
      xds.push("v2", [
        routeConfig("svc_9090", "x", {
          match: { prefix: "/", headers: [{ name: "m", safe_regex_match: { regex: "(?=a)" } }] },
        }),
      ]);
      await until("the NACK of v2", () => xds.requests.some((r) => r.response_nonce === "2"));
      const nack = xds.requests.at(-1)!;
      assert.equal(nack.version_info, "v1");
      assert.match(String((nack.error_detail as Msg).message), /Rewrite the regex/);
      assert.equal(proxy.tables.length, 1);
      assert.equal(rds.status()[0].clientStatus, "NACKED");
      assert.equal(rds.status()[0].versionInfo, "v1");
      // The same table again is ACKed without a swap; stats count one reload.
      xds.push("v3", [routeConfig("svc_9090", "outbound|9090||a")]);
      await until("the ACK of v3", () => xds.requests.some((r) => r.version_info === "v3"));
      assert.equal(proxy.tables.length, 1);
      assert.equal(rds.status()[0].clientStatus, "ACKED");
      assert.equal(
        proxy.stats.snapshot().counters.get("meta_protocol.thrift.svc.rds.svc_9090.config_reload"),
        1,
      );
    } finally {
      await rds.close();
      await xds.close();
    }
  });
}

Deno.test("startXds() reconnects after the stream drops and resubscribes with the last version", async () => {
  const xds = await startXdsServer();
  const proxy = fakeProxy();
  const rds = startXds(compiled(xds.port), { proxy, log: () => {}, baseBackoffMs: 20 });
  try {
    await until("the subscription", () => xds.requests.length > 0);
    xds.push("v1", [routeConfig("svc_9090", "a")]);
    await until("the ACK", () => xds.requests.some((r) => r.version_info === "v1"));
    xds.dropStreams();
    await until("a second stream", () => xds.requests.some((r) => r.stream === 2));
    const again = xds.requests.find((r) => r.stream === 2)!;
    assert.equal(again.version_info, "v1");
    assert.deepEqual(again.resource_names, ["svc_9090"]);
  } finally {
    await rds.close();
    await xds.close();
  }
});

Deno.test("startXds() keeps retrying while the server is down, then subscribes", async () => {
  const probe = await startXdsServer();
  const port = probe.port;
  await probe.close();
  const logs: string[] = [];
  const rds = startXds(compiled(port), {
    proxy: fakeProxy(),
    log: (l) => logs.push(l),
    baseBackoffMs: 20,
  });
  try {
    await until("two failed attempts", () => logs.length >= 2);
    assert.match(logs[0], /^xDS stream to "xds" failed: .*; retrying$/);
    const xds = await startXdsServer(port);
    try {
      await until("the subscription", () => xds.requests.length > 0);
    } finally {
      await rds.close();
      await xds.close();
    }
  } finally {
    await rds.close();
  }
});

Deno.test("startXds() fills EDS clusters over ADS on the same stream as RDS", async () => {
  const xds = await startXdsServer();
  const base = compiled(0, true);
  const json = {
    node: { id: "node-1" },
    dynamic_resources: {
      ads_config: {
        api_type: "GRPC",
        transport_api_version: "V3",
        grpc_services: [{ envoy_grpc: { cluster_name: "xds" } }],
      },
    },
    static_resources: {
      clusters: [
        {
          name: "xds",
          load_assignment: {
            cluster_name: "xds",
            endpoints: [{
              lb_endpoints: [{
                endpoint: {
                  address: { socket_address: { address: "127.0.0.1", port_value: xds.port } },
                },
              }],
            }],
          },
        },
        {
          name: "svc",
          type: "EDS",
          eds_cluster_config: { service_name: "svc-eds", eds_config: { ads: {} } },
        },
      ],
    },
  };
  const r = loadBootstrapText(JSON.stringify(json), { file: "eds.json" });
  assert.ok(r.ok, JSON.stringify(r.problems));
  assert.deepEqual(r.config.eds, [{
    cluster: "svc",
    serviceName: "svc-eds",
    source: { kind: "ads" },
  }]);
  assert.equal(base.rds.length, 1);
  const updates: unknown[] = [];
  const proxy = { ...fakeProxy(), updateClusters: (c: unknown) => void updates.push(c) };
  const xdsClients = startXds(r.config, { proxy, log: () => {}, baseBackoffMs: 20 });
  try {
    await until(
      "the EDS subscription",
      () => xds.requests.some((q) => String(q.type_url).endsWith("ClusterLoadAssignment")),
    );
    xds.pushEndpoints("e1", [{
      cluster_name: "svc-eds",
      endpoints: [{
        lb_endpoints: [
          {
            endpoint: { address: { socket_address: { address: "10.0.0.1", port_value: 80 } } },
            load_balancing_weight: { value: 3 },
          },
          {
            endpoint: { address: { socket_address: { address: "10.0.0.2", port_value: 80 } } },
            health_status: 2,
          },
        ],
      }],
    }]);
    await until("the EDS ACK", () => xds.requests.some((q) => q.version_info === "e1"));
    assert.equal(updates.length, 1);
    const [cluster] = updates[0] as { name: string; endpoints: unknown[] }[];
    assert.equal(cluster.name, "svc");
    assert.deepEqual(cluster.endpoints, [
      { address: "10.0.0.1", port: 80, weight: 3, health: "unknown" },
      { address: "10.0.0.2", port: 80, weight: 1, health: "unhealthy" },
    ]);
  } finally {
    await xdsClients.close();
    await xds.close();
  }
});
