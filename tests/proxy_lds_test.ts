/**
 * Our proxy as a full xDS client of our server, over ADS state of the world and delta:
 * listeners, clusters, endpoints and routes all come over xDS, and npm `thrift` clients call
 * through them while the config changes — a listener added, a cluster's load balancing and
 * circuit breakers changed, a listener changed (its old connection keeps serving, a new one
 * gets the new chain), an invalid listener NACKed, a cluster and a listener removed.
 */
import assert from "node:assert/strict";
import { STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { SnapshotCache } from "../operator/xds/cache.ts";
import { startGrpcServer } from "../operator/xds/grpc_server.ts";
import { buildXdsSnapshot, type XdsResources } from "../operator/xds/snapshot.ts";
import { XdsStatus } from "../operator/xds/status.ts";
import { loadBootstrapText } from "../proxy/bootstrap/mod.ts";
import { runBootstrap } from "../proxy/server/run.ts";
import { type ClientCounts, connectCounted, freePort, sayHello } from "./_local_mesh_testing.ts";

const MPP = "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";
type Mode = "sotw" | "delta" | "grpc";
let ADS: Record<string, unknown> = {};

/** Where resources come from: ADS, or (mode "grpc") each type's own service. */
function source(mode: Mode): Record<string, unknown> {
  if (mode !== "grpc") return { ads: {}, resourceApiVersion: "V3" };
  return {
    apiConfigSource: {
      apiType: "GRPC",
      transportApiVersion: "V3",
      grpcServices: [{ envoyGrpc: { clusterName: "xds" } }],
    },
    resourceApiVersion: "V3",
  };
}

function listener(name: string, port: number, routes: string, statPrefix = name) {
  return {
    name,
    address: { socketAddress: { address: "127.0.0.1", portValue: port } },
    filterChains: [{
      filters: [{
        name: "envoy.filters.network.meta_protocol_proxy",
        typedConfig: {
          "@type": MPP,
          statPrefix,
          protocol: { name: "thrift", codec: { name: "aeraki.meta_protocol.codec.thrift" } },
          rds: { routeConfigName: routes, configSource: ADS },
        },
      }],
    }],
  };
}

function cluster(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: "EDS",
    connectTimeout: "1s",
    edsClusterConfig: { edsConfig: ADS, serviceName: name },
    ...extra,
  };
}

function endpoints(name: string, port: number) {
  return {
    clusterName: name,
    endpoints: [{
      lbEndpoints: [{
        endpoint: { address: { socketAddress: { address: "127.0.0.1", portValue: port } } },
      }],
    }],
  };
}

function route(name: string, to: string) {
  return {
    name,
    virtualHosts: [{
      name: "v",
      domains: ["*"],
      routes: [{ name: "all", match: { prefix: "/" }, route: { cluster: to } }],
    }],
  };
}

function bootstrap(xdsPort: number, mode: Mode) {
  const xds = endpoints("xds", xdsPort);
  const ads = {
    apiType: mode === "delta" ? "AGGREGATED_DELTA_GRPC" : "GRPC",
    transportApiVersion: "V3",
    grpcServices: [{ envoyGrpc: { clusterName: "xds" } }],
  };
  return {
    node: { id: "proxy-lds", cluster: "test" },
    dynamicResources: {
      ...(mode === "grpc" ? {} : { adsConfig: ads }),
      ldsConfig: ADS,
      cdsConfig: ADS,
    },
    staticResources: {
      clusters: [{ name: "xds", type: "STATIC", connectTimeout: "1s", loadAssignment: xds }],
    },
  };
}

async function until(what: string, ok: () => boolean, logs: string[]): Promise<void> {
  for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), `timed out waiting for ${what}; log:\n${logs.join("\n")}`);
}

/** Calls in a loop on `c` until stopped; counts replies and failures. */
function callLoop(c: Awaited<ReturnType<typeof connectCounted>>) {
  const state = { running: true, replies: [] as string[], failures: 0, done: Promise.resolve() };
  state.done = (async () => {
    while (state.running) {
      try {
        state.replies.push(await sayHello(c));
      } catch {
        state.failures++;
      }
    }
  })();
  return state;
}

const MODES: Record<Mode, string> = {
  sotw: "state-of-the-world ADS",
  delta: "delta ADS",
  grpc: "their own gRPC services",
};

for (const mode of ["sotw", "delta", "grpc"] as const) {
  Deno.test(`startXds() runs listeners and clusters from LDS/CDS over ${MODES[mode]} under Thrift traffic`, async () => {
    ADS = source(mode);
    const servers = await Promise.all(
      ["a", "b"].map((v) =>
        startServer(STACKS[0], { sayHello: (_req, result) => result(null, v), ping: () => {} })
      ),
    );
    const cache = new SnapshotCache();
    const status = new XdsStatus();
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      cache,
      status,
      log: () => {},
    });
    let snapshot = cache.get("");
    const publish = (r: XdsResources) => cache.set(snapshot = buildXdsSnapshot(r, snapshot));
    const [p1, p2] = [freePort("127.0.0.1"), freePort("127.0.0.1")];
    const base = {
      listeners: [listener("l1", p1, "r1")],
      clusters: [cluster("a")],
      loadAssignments: [endpoints("a", servers[0].port)],
      routeConfigurations: [route("r1", "a")],
    };
    publish(base);
    const loaded = loadBootstrapText(JSON.stringify(bootstrap(server.port, mode)));
    assert.ok(loaded.ok, loaded.problems.map((p) => p.message).join("\n"));
    const logs: string[] = [];
    const running = await runBootstrap(loaded.config, { log: (l) => logs.push(l) });
    const proxy = running.proxy;
    const counts: ClientCounts = { closed: 0, errors: 0 };
    const clients: Awaited<ReturnType<typeof connectCounted>>[] = [];
    const loops: ReturnType<typeof callLoop>[] = [];
    try {
      await until("listener l1", () => proxy.ports.has("l1"), logs);
      const c1 = await connectCounted("127.0.0.1", p1, counts);
      clients.push(c1);
      assert.equal(await sayHello(c1), "a");
      const loop1 = callLoop(c1);
      loops.push(loop1);

      // A listener and an EDS cluster added: warm, then serving; l1's client never fails.
      const added = {
        listeners: [...base.listeners, listener("l2", p2, "r2")],
        clusters: [...base.clusters, cluster("b")],
        loadAssignments: [...base.loadAssignments, endpoints("b", servers[1].port)],
        routeConfigurations: [...base.routeConfigurations, route("r2", "b")],
      };
      publish(added);
      await until("listener l2", () => proxy.ports.has("l2"), logs);
      const c2 = await connectCounted("127.0.0.1", p2, counts);
      clients.push(c2);
      assert.equal(await sayHello(c2), "b");

      // Cluster a's load balancing and circuit breakers changed: applied, nothing breaks.
      const policy = {
        lbPolicy: "RANDOM",
        circuitBreakers: { thresholds: [{ maxConnections: 64, maxRequests: 64 }] },
      };
      publish({ ...added, clusters: [cluster("a", policy), cluster("b")] });
      await until(
        "the new policy of a",
        () => proxy.clusterModels().get("a")?.lbPolicy === "RANDOM",
        logs,
      );
      assert.equal(proxy.clusterModels().get("a")?.circuitBreakers?.maxConnections, 64);
      const seen = loop1.replies.length;
      await until("more calls on l1", () => loop1.replies.length > seen + 20, logs);

      // An invalid listener is NACKed; the others keep serving.
      const bad = {
        ...listener("l3", freePort("127.0.0.1"), "r1"),
        perConnectionBufferLimitBytes: 1,
      };
      bad.filterChains[0].filters[0].typedConfig.protocol.codec.name = "no.such.codec";
      publish({
        ...added,
        clusters: [cluster("a", policy), cluster("b")],
        listeners: [...added.listeners, bad],
      });
      await until("the NACK", () => status.report().nacks > 0, logs);
      assert.match(
        logs.join("\n"),
        /LDS update .* rejected \(NACK\): .*listener "l3".*no\.such\.codec/,
      );
      assert.equal(proxy.ports.has("l3"), false);

      // l1 changed (its stat prefix): the old connection keeps serving on the old chain, a
      // new connection gets the new one; the port was never unbound.
      const changed = {
        ...added,
        clusters: [cluster("a", policy), cluster("b")],
        listeners: [listener("l1", p1, "r1", "l1-new"), added.listeners[1]],
      };
      publish(changed);
      await until(
        "the new l1",
        () => proxy.listenerModels().get("l1")?.statPrefix === "l1-new",
        logs,
      );
      const c3 = await connectCounted("127.0.0.1", p1, counts);
      clients.push(c3);
      assert.equal(await sayHello(c3), "a");
      const before = loop1.replies.length;
      await until("calls on the old l1 connection", () => loop1.replies.length > before + 20, logs);
      const stats = proxy.stats.snapshot().counters;
      assert.ok((stats.get("meta_protocol.thrift.l1-new.request") ?? 0) >= 1);

      // Cluster b removed: l2's route gets the codec's error reply, the connection stays.
      publish({
        ...changed,
        clusters: [cluster("a", policy)],
        loadAssignments: [base.loadAssignments[0]],
      });
      await until("b removed", () => !proxy.clusterModels().has("b"), logs);
      await assert.rejects(sayHello(c2), /cluster/i);
      // Listener l2 removed: the port no longer accepts.
      publish({ ...changed, listeners: [changed.listeners[0]], clusters: [cluster("a", policy)] });
      await until("l2 removed", () => !proxy.ports.has("l2"), logs);
      await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: p2 }));
      assert.equal(await sayHello(c1), "a");
    } finally {
      for (const l of loops) l.running = false;
      await Promise.all(loops.map((l) => l.done));
      await Promise.all(clients.map((c) => c.close()));
      await running.drain();
      await server.close();
      await Promise.all(servers.map((s) => s.close()));
    }
    assert.equal(loops[0].failures, 0);
    assert.deepEqual(counts, { closed: 0, errors: 0 });
  });
}
