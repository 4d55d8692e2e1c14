/**
 * A third-party xDS client against our server: @grpc/grpc-js-xds resolves `xds:///echo.test`
 * over our ADS (listener → routes → cluster → endpoints, State of the World), and a real gRPC
 * call goes to the endpoint we served; a listener it refuses is NACKed, reported in status,
 * and the call keeps using the last good config.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import * as grpcXds from "@grpc/grpc-js-xds";
import { LISTENER_TYPE_URL } from "../proto/mod.ts";
import { SnapshotCache } from "../operator/xds/cache.ts";
import { startGrpcServer } from "../operator/xds/grpc_server.ts";
import { buildXdsSnapshot, type XdsResources } from "../operator/xds/snapshot.ts";
import { XdsStatus } from "../operator/xds/status.ts";

const HCM =
  "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
const id = (b: Buffer) => b;
const ECHO = {
  Echo: {
    path: "/test.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: id,
    requestDeserialize: id,
    responseSerialize: id,
    responseDeserialize: id,
  },
};

function meshFor(echoPort: number, tag: string): XdsResources {
  return {
    listeners: [{
      name: "echo.test",
      apiListener: {
        apiListener: {
          "@type": HCM,
          rds: {
            configSource: { ads: {}, resourceApiVersion: "V3" },
            routeConfigName: "echo-route",
          },
          httpFilters: [{ name: "router", typedConfig: { "@type": ROUTER } }],
        },
      },
    }],
    routeConfigurations: [{
      name: "echo-route",
      virtualHosts: [{
        name: tag,
        domains: ["*"],
        routes: [{ match: { prefix: "" }, route: { cluster: "echo-cluster" } }],
      }],
    }],
    clusters: [{
      name: "echo-cluster",
      type: "EDS",
      edsClusterConfig: {
        edsConfig: { ads: {}, resourceApiVersion: "V3" },
        serviceName: "echo-cluster",
      },
      lbPolicy: "ROUND_ROBIN",
    }],
    loadAssignments: [{
      clusterName: "echo-cluster",
      endpoints: [{
        locality: { region: "local" },
        loadBalancingWeight: 1,
        lbEndpoints: [{
          endpoint: { address: { socketAddress: { address: "127.0.0.1", portValue: echoPort } } },
        }],
      }],
    }],
  };
}

function bind(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (e, p) => e ? reject(e) : resolve(p),
    )
  );
}

Deno.test("@grpc/grpc-js-xds resolves and calls through our ADS server, and its NACK is reported", async () => {
  grpcXds.register();
  const echo = new grpc.Server();
  echo.addService(ECHO, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb(null, Buffer.concat([Buffer.from("echo:"), call.request])),
  });
  const echoPort = await bind(echo);
  const cache = new SnapshotCache();
  const status = new XdsStatus();
  const logs: string[] = [];
  let nacked: (message: string) => void = () => {};
  const nack = new Promise<string>((resolve) => (nacked = resolve));
  const log = (_: string, m: string) => {
    logs.push(m);
    if (m.includes("rejected")) nacked(m);
  };
  const xds = await startGrpcServer({ host: "127.0.0.1", port: 0, cache, status, log });
  const good = buildXdsSnapshot(meshFor(echoPort, "v1"));
  cache.set(good);
  const bootstrap = {
    xds_servers: [{
      server_uri: `127.0.0.1:${xds.port}`,
      channel_creds: [{ type: "insecure" }],
      server_features: ["xds_v3"],
    }],
    node: { id: "grpc-js-xds-client", locality: {} },
  };
  const Client = grpc.makeGenericClientConstructor(ECHO, "Echo");
  const client = new Client("xds:///echo.test", grpc.credentials.createInsecure(), {
    "grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config": JSON.stringify(bootstrap),
  }) as unknown as grpc.Client & {
    Echo(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void;
  };
  const call = (text: string) =>
    new Promise<string>((resolve, reject) =>
      client.Echo(Buffer.from(text), (e, r) => (e ? reject(e) : resolve(r!.toString())))
    );
  try {
    assert.equal(await call("hello"), "echo:hello");
    const node = status.report().nodes.find((n) => n.id === "grpc-js-xds-client");
    assert.ok(node, "the client's node is connected");
    assert.equal(node.types[LISTENER_TYPE_URL].acked, good.types.get(LISTENER_TYPE_URL)!.version);
    // A listener grpc-js-xds cannot use (no API listener): it NACKs and keeps the last good one.
    const bad = buildXdsSnapshot(
      { ...meshFor(echoPort, "v1"), listeners: [{ name: "echo.test" }] },
      good,
    );
    cache.set(bad);
    assert.match(await nack, /^Node "grpc-js-xds-client" rejected .*Listener version/);
    const t = status.report().nodes.find((n) =>
      n.id === "grpc-js-xds-client"
    )!.types[LISTENER_TYPE_URL];
    assert.equal(t.nack?.version, bad.types.get(LISTENER_TYPE_URL)!.version);
    assert.equal(t.acked, good.types.get(LISTENER_TYPE_URL)!.version);
    assert.equal(await call("again"), "echo:again");
  } finally {
    client.close();
    await xds.close();
    await new Promise<void>((r) => echo.tryShutdown(() => r()));
  }
});
