import assert from "node:assert/strict";
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../proto/mod.ts";
import { NODE, resources, route, withServer } from "../../tests/xds_server_fixture.ts";

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
