import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import {
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  lookupType,
  ROUTE_CONFIGURATION_TYPE_URL,
} from "../../proto/mod.ts";
import { names, NODE, resources, route, withServer } from "../../tests/xds_server_fixture.ts";

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
