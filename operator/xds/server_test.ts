import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import {
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  lookupType,
  ROUTE_CONFIGURATION_TYPE_URL,
} from "../../proto/mod.ts";
import { XdsTestClient } from "../../tests/xds_client.ts";
import { SnapshotCache } from "./cache.ts";
import { startGrpcServer } from "./grpc_server.ts";
import { buildXdsSnapshot, type XdsResources, type XdsSnapshot } from "./snapshot.ts";
import { XdsStatus } from "./status.ts";
import type { AnyMessage } from "./_wire.ts";

const NODE = { id: "sidecar~10.0.0.1~a.ns~ns.svc.cluster.local", cluster: "a" };

function route(name: string, cluster: string) {
  return {
    name,
    virtualHosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{ match: { prefix: "/" }, route: { cluster } }],
    }],
  };
}

function cluster(name: string) {
  return { name, type: "EDS", edsClusterConfig: { edsConfig: { ads: {} }, serviceName: name } };
}

function resources(tag = "v1", clusters = ["c1", "c2"]): XdsResources {
  return {
    clusters: clusters.map(cluster),
    routeConfigurations: [
      route("a_9090", `outbound|9090|${tag}|a`),
      route("b_9090", "outbound|9090||b"),
    ],
  };
}

/** The names inside packed resources. */
function names(anys: readonly AnyMessage[]): string[] {
  return anys.map((a) => {
    const decoded = lookupType(a.type_url)!.decode(a.value) as unknown as { name?: string };
    return decoded.name ?? "";
  });
}

async function withServer(
  test: (ctx: {
    client: XdsTestClient;
    publish: (r: XdsResources) => XdsSnapshot;
    status: XdsStatus;
    logs: string[];
    port: number;
  }) => Promise<void>,
): Promise<void> {
  const cache = new SnapshotCache();
  const status = new XdsStatus();
  const logs: string[] = [];
  const server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    cache,
    status,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  let current = cache.get("");
  const publish = (r: XdsResources) => {
    current = buildXdsSnapshot(r, current);
    cache.set(current);
    return current;
  };
  const client = new XdsTestClient(`127.0.0.1:${server.port}`);
  try {
    await test({ client, publish, status, logs, port: server.port });
  } finally {
    client.close();
    await server.close();
  }
}

Deno.test("SotW ADS serves wildcard clusters and named routes, and records ACKs", async () => {
  await withServer(async ({ client, publish, status }) => {
    const snap = publish(resources());
    const s = client.sotw();
    const cds = await s.exchange({ node: NODE, type_url: CLUSTER_TYPE_URL });
    assert.deepEqual(names(cds.resources), ["c1", "c2"]);
    assert.equal(cds.version_info, snap.types.get(CLUSTER_TYPE_URL)!.version);
    s.send({
      node: NODE,
      type_url: CLUSTER_TYPE_URL,
      version_info: cds.version_info,
      response_nonce: cds.nonce,
    });
    const rds = await s.exchange({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: ["a_9090"],
    });
    assert.deepEqual(names(rds.resources), ["a_9090"]);
    s.send({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: ["a_9090"],
      version_info: rds.version_info,
      response_nonce: rds.nonce,
    });
    // A request for the other names is answered on the same stream, after the ACKs.
    const both = await s.exchange({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: ["a_9090", "b_9090", "missing"],
      version_info: rds.version_info,
      response_nonce: rds.nonce,
    });
    assert.deepEqual(names(both.resources).sort(), ["a_9090", "b_9090"]);
    const node = status.report().nodes[0];
    assert.equal(node.id, NODE.id);
    assert.equal(node.types[CLUSTER_TYPE_URL].acked, cds.version_info);
    assert.equal(node.types[ROUTE_CONFIGURATION_TYPE_URL].acked, rds.version_info);
    assert.deepEqual(node.types[CLUSTER_TYPE_URL].subscribed, ["*"]);
    s.close();
  });
});

Deno.test("SotW pushes only the types whose subscribed content changed", async () => {
  await withServer(async ({ client, publish }) => {
    publish(resources());
    const s = client.sotw();
    const cds = await s.exchange({ node: NODE, type_url: CLUSTER_TYPE_URL });
    s.send({
      type_url: CLUSTER_TYPE_URL,
      version_info: cds.version_info,
      response_nonce: cds.nonce,
    });
    const rds = await s.exchange({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: ["a_9090"],
    });
    s.send({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: ["a_9090"],
      version_info: rds.version_info,
      response_nonce: rds.nonce,
    });
    // Route b changes: nobody subscribed to it, nothing is pushed. Route a changes: one RDS push.
    publish({
      ...resources(),
      routeConfigurations: [resources().routeConfigurations![0], route("b_9090", "x")],
    });
    publish({
      ...resources("v2"),
      routeConfigurations: [route("a_9090", "outbound|9090|v2|a"), route("b_9090", "x")],
    });
    const push = await s.responses.next();
    assert.equal(push.type_url, ROUTE_CONFIGURATION_TYPE_URL);
    assert.notEqual(push.version_info, rds.version_info);
    assert.match(new TextDecoder().decode(push.resources[0].value), /outbound\|9090\|v2\|a/);
    s.send({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: ["a_9090"],
      version_info: push.version_info,
      response_nonce: push.nonce,
    });
    // Now only the clusters change: the next push is CDS.
    publish({
      ...resources("v2", ["c1", "c3"]),
      routeConfigurations: [route("a_9090", "outbound|9090|v2|a"), route("b_9090", "x")],
    });
    const cdsPush = await s.responses.next();
    assert.equal(cdsPush.type_url, CLUSTER_TYPE_URL);
    assert.notEqual(cdsPush.version_info, cds.version_info);
    assert.deepEqual(names(cdsPush.resources), ["c1", "c3"]);
    assert.equal(s.responses.pending, 0);
    s.close();
  });
});

Deno.test("SotW NACK keeps the last good version, is reported, and is not resent", async () => {
  await withServer(async ({ client, publish, status, logs }) => {
    publish(resources());
    const s = client.routes();
    const good = await s.exchange({ node: NODE, resource_names: ["a_9090"] });
    s.send({
      resource_names: ["a_9090"],
      version_info: good.version_info,
      response_nonce: good.nonce,
    });
    publish(resources("bad"));
    const bad = await s.responses.next();
    s.send({
      resource_names: ["a_9090"],
      version_info: good.version_info,
      response_nonce: bad.nonce,
      error_detail: { code: 3, message: "Unknown cluster outbound|9090|bad|a" },
    });
    // The next push is for the next change, not a resend of the refused version.
    publish(resources("v3"));
    const next = await s.responses.next();
    assert.notEqual(next.version_info, bad.version_info);
    const report = status.report();
    const t = report.nodes[0].types[ROUTE_CONFIGURATION_TYPE_URL];
    assert.equal(t.acked, good.version_info);
    assert.deepEqual(t.nack, {
      version: bad.version_info,
      nonce: bad.nonce,
      message: "Unknown cluster outbound|9090|bad|a",
      count: 1,
    });
    assert.equal(report.nacks, 1);
    assert.ok(
      logs.some((l) => l.includes(`Node "${NODE.id}" rejected`) && l.includes("Unknown cluster")),
    );
    s.send({
      resource_names: ["a_9090"],
      version_info: next.version_info,
      response_nonce: next.nonce,
    });
    // An empty subscription unsubscribes: an empty response, and no pushes afterwards.
    const none = await s.exchange({
      resource_names: [],
      version_info: next.version_info,
      response_nonce: next.nonce,
    });
    assert.deepEqual(none.resources, []);
    publish(resources("v4"));
    const b = await s.exchange({
      resource_names: ["b_9090"],
      version_info: none.version_info,
      response_nonce: none.nonce,
    });
    assert.deepEqual(names(b.resources), ["b_9090"]);
    assert.equal(status.report().nodes[0].types[ROUTE_CONFIGURATION_TYPE_URL].nack, undefined);
    s.close();
  });
});

Deno.test("Delta ADS sends only changed resources and removals, and tracks NACKs", async () => {
  await withServer(async ({ client, publish, status }) => {
    publish(resources());
    const d = client.delta();
    const first = await d.exchange({
      node: NODE,
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names_subscribe: ["a_9090", "b_9090"],
    });
    assert.deepEqual(first.resources.map((r) => r.name).sort(), ["a_9090", "b_9090"]);
    d.send({ type_url: ROUTE_CONFIGURATION_TYPE_URL, response_nonce: first.nonce });
    publish(resources("v2"));
    const change = await d.responses.next();
    assert.deepEqual(change.resources.map((r) => r.name), ["a_9090"]);
    assert.deepEqual(change.removed_resources, []);
    d.send({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      response_nonce: change.nonce,
      error_detail: { message: "bad route" },
    });
    publish({ ...resources("v2"), routeConfigurations: [route("a_9090", "outbound|9090|v2|a")] });
    const removal = await d.responses.next();
    assert.deepEqual(removal.resources, []);
    assert.deepEqual(removal.removed_resources, ["b_9090"]);
    d.send({ type_url: ROUTE_CONFIGURATION_TYPE_URL, response_nonce: removal.nonce });
    const t = status.report().nodes[0].types[ROUTE_CONFIGURATION_TYPE_URL];
    assert.equal(t.nack?.message, "bad route");
    assert.equal(t.acked, first.system_version_info);
    // Unsubscribing a while subscribing b again (gone): the node learns b does not exist.
    const back = await d.exchange({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names_subscribe: ["b_9090"],
      resource_names_unsubscribe: ["a_9090"],
    });
    assert.deepEqual(back.resources, []);
    assert.deepEqual(back.removed_resources, ["b_9090"]);
    // b comes back and a changes: only b is pushed.
    d.send({ type_url: ROUTE_CONFIGURATION_TYPE_URL, response_nonce: back.nonce });
    publish({
      ...resources("v5"),
      routeConfigurations: [route("a_9090", "v5"), route("b_9090", "y")],
    });
    const onlyB = await d.responses.next();
    assert.deepEqual(onlyB.resources.map((r) => r.name), ["b_9090"]);
    assert.equal(d.responses.pending, 0);
    d.close();
  });
});

Deno.test("Delta wildcard clusters start from the node's initial versions", async () => {
  await withServer(async ({ client, publish }) => {
    const snap = publish(resources());
    const c1 = snap.types.get(CLUSTER_TYPE_URL)!.resources.get("c1")!;
    const d = client.delta();
    const first = await d.exchange({
      node: NODE,
      type_url: CLUSTER_TYPE_URL,
      initial_resource_versions: { c1: c1.version, gone: "1" },
    });
    assert.deepEqual(first.resources.map((r) => r.name), ["c2"]);
    assert.deepEqual(first.removed_resources, ["gone"]);
    d.send({ type_url: CLUSTER_TYPE_URL, response_nonce: first.nonce });
    publish(resources("v1", ["c1", "c2", "c3"]));
    const added = await d.responses.next();
    assert.deepEqual(added.resources.map((r) => r.name), ["c3"]);
    d.close();
  });
});

Deno.test("startGrpcServer() keeps a stream open after an undecodable or misdirected request", async () => {
  await withServer(async ({ client, publish, logs, port }) => {
    publish(resources());
    const s = client.routes();
    s.send({ node: NODE, type_url: LISTENER_TYPE_URL, resource_names: ["x"] });
    const r = await s.exchange({ node: NODE, resource_names: ["a_9090"] });
    assert.equal(r.type_url, ROUTE_CONFIGURATION_TYPE_URL);
    assert.ok(logs.some((l) => l.includes("serves only")));
    s.close();
    // Raw bytes that are not a DiscoveryRequest, then a good request on the same stream.
    const raw = rawRoutesClient(`127.0.0.1:${port}`);
    const call = raw.StreamRoutes();
    const got = new Promise<Buffer>((resolve) => call.on("data", resolve));
    call.write(Buffer.from([0xff, 0xff, 0xff]));
    const good = lookupType("envoy.service.discovery.v3.DiscoveryRequest")!;
    call.write(Buffer.from(good.encode({ resource_names: ["a_9090"] }).finish()));
    assert.ok((await got).length > 0);
    assert.ok(logs.some((l) => l.includes("Ignoring a request") && l.includes("Cannot decode")));
    call.end();
    raw.close();
  });
});

function rawRoutesClient(address: string) {
  const id = (b: Buffer) => b;
  const Raw = grpc.makeGenericClientConstructor({
    StreamRoutes: {
      path: "/envoy.service.route.v3.RouteDiscoveryService/StreamRoutes",
      requestStream: true,
      responseStream: true,
      requestSerialize: id,
      requestDeserialize: id,
      responseSerialize: id,
      responseDeserialize: id,
    },
  }, "Raw");
  return new Raw(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    StreamRoutes(): grpc.ClientDuplexStream<Buffer, Buffer>;
  };
}
