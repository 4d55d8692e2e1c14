import assert from "node:assert/strict";
import { buildSidecarBootstrap, wantsSidecarBootstrap } from "./sidecar_bootstrap.ts";

Deno.test("buildSidecarBootstrap() writes upstream's aeraki-xds cluster with the RDS address", () => {
  const cm = buildSidecarBootstrap("meta-thrift", { xdsAddress: "aeraki.mesh", xdsPort: 15011 });
  assert.equal(cm.metadata.name, "aeraki-bootstrap-config");
  assert.equal(cm.metadata.namespace, "meta-thrift");
  assert.deepEqual(Object.keys(cm.data), ["custom_bootstrap.json"]);
  const [cluster] = JSON.parse(cm.data["custom_bootstrap.json"]).static_resources.clusters;
  assert.equal(cluster.type, "STRICT_DNS");
  assert.equal(cluster.connect_timeout, "1s");
  assert.equal(cluster.max_requests_per_connection, 1);
  assert.deepEqual(
    cluster.circuit_breakers.thresholds.map((t: { priority?: string }) => t.priority),
    [
      undefined,
      "HIGH",
    ],
  );
  assert.equal(cluster.circuit_breakers.thresholds[1].max_requests, 100000);
  assert.deepEqual(cluster.http2_protocol_options, {});
  assert.equal(cluster.upstream_connection_options.tcp_keepalive.keepalive_time, 300);
  const endpoint = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint;
  assert.deepEqual(endpoint.address.socket_address, { address: "aeraki.mesh", port_value: 15011 });
  const tls = cluster.transport_socket.typed_config.common_tls_context;
  assert.equal(tls.validation_context_sds_secret_config.name, "ROOTCA");
  assert.equal(tls.tls_certificate_sds_secret_configs[0].name, "default");
  const sds = tls.tls_certificate_sds_secret_configs[0].sds_config;
  assert.equal(sds.api_config_source.grpc_services[0].envoy_grpc.cluster_name, "sds-grpc");
  assert.equal(sds.api_config_source.set_node_on_first_message_only, true);
  assert.equal(sds.initial_fetch_timeout, "0s");
});

Deno.test("buildSidecarBootstrap() defaults to upstream's flag defaults", () => {
  const [cluster] = JSON.parse(buildSidecarBootstrap("x").data["custom_bootstrap.json"])
    .static_resources.clusters;
  assert.deepEqual(
    cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
    { address: "aeraki.istio-system", port_value: 15010 },
  );
});

Deno.test("wantsSidecarBootstrap() picks injected namespaces only", () => {
  assert.equal(wantsSidecarBootstrap({ "istio-injection": "enabled" }), true);
  assert.equal(wantsSidecarBootstrap({ "istio.io/rev": "canary" }), true);
  assert.equal(wantsSidecarBootstrap({ "istio-injection": "disabled" }), false);
  assert.equal(wantsSidecarBootstrap({ "istio.io/rev": "" }), false);
  assert.equal(wantsSidecarBootstrap(), false);
});
