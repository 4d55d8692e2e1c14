import assert from "node:assert/strict";
import { App, Chart, Testing } from "cdk8s";
import { MetaProtocolService } from "./meta_protocol_service.ts";

function thriftService(chart: Chart) {
  return new MetaProtocolService(chart, "thrift-sample-server", {
    protocol: "thrift",
    port: 9090,
    portNameSuffix: "hello-server",
    versions: [
      { name: "v1", image: "aeraki/thrift-sample-server:1.0" },
      { name: "v2", image: "aeraki/thrift-sample-server:1.0", replicas: 2 },
    ],
  });
}

Deno.test("MetaProtocolService names the port for Aeraki and labels each version", () => {
  const chart = new Chart(Testing.app(), "mesh", { namespace: "meta-thrift" });
  const svc = thriftService(chart);
  assert.equal(svc.host, "thrift-sample-server.meta-thrift.svc.cluster.local");
  const objs = Testing.synth(chart);
  const service = objs.find((o) => o.kind === "Service")!;
  assert.deepEqual(service.spec.ports, [{
    name: "tcp-metaprotocol-thrift-hello-server",
    port: 9090,
    protocol: "TCP",
    targetPort: 9090,
  }]);
  assert.deepEqual(service.spec.selector, { app: "thrift-sample-server" });
  const deployments = objs.filter((o) => o.kind === "Deployment");
  assert.deepEqual(deployments.map((d) => d.metadata.name), [
    "thrift-sample-server-v1",
    "thrift-sample-server-v2",
  ]);
  assert.deepEqual(deployments[1].spec.selector.matchLabels, {
    app: "thrift-sample-server",
    version: "v2",
  });
  const podLabels = deployments[1].spec.template.metadata.labels;
  assert.equal(podLabels.app, "thrift-sample-server");
  assert.equal(podLabels.version, "v2");
  assert.equal(deployments[1].spec.replicas, 2);
  const dr = objs.find((o) => o.kind === "DestinationRule")!;
  assert.equal(dr.spec.host, "thrift-sample-server.meta-thrift.svc.cluster.local");
  assert.deepEqual(dr.spec.subsets, [
    { name: "v1", labels: { version: "v1" } },
    { name: "v2", labels: { version: "v2" } },
  ]);
});

Deno.test("MetaProtocolService rejects a protocol with a dash, a bad port and duplicate versions", () => {
  const app = new App({ outdir: Deno.makeTempDirSync() });
  const chart = new Chart(app, "mesh");
  new MetaProtocolService(chart, "svc", {
    protocol: "my-rpc",
    port: 70000,
    versions: [{ name: "v1", image: "x" }, { name: "v1", image: "y" }],
  });
  assert.throws(() => app.synth(), (e: Error) => {
    assert.match(e.message, /\[mesh\/svc\] Cannot name the port for protocol "my-rpc"/);
    assert.match(e.message, /Cannot expose port 70000: port must be between 1 and 65535/);
    assert.match(e.message, /Cannot deploy version "v1" twice/);
    return true;
  });
});

Deno.test("MetaProtocolService runs the MetaProtocol sidecar image unless told otherwise", () => {
  const annotations = (props: { proxyImage?: string | false }) => {
    const chart = new Chart(Testing.app(), "mesh", { namespace: "meta-thrift" });
    new MetaProtocolService(chart, "svc", {
      protocol: "thrift",
      port: 9090,
      versions: [{ name: "v1", image: "app:1" }],
      ...props,
    });
    const deployment = Testing.synth(chart).find((o) => o.kind === "Deployment")!;
    return deployment.spec.template.metadata.annotations;
  };
  assert.deepEqual(annotations({}), {
    "sidecar.istio.io/proxyImage": "ghcr.io/aeraki-mesh/meta-protocol-proxy:1.4.2",
  });
  assert.deepEqual(annotations({ proxyImage: "registry.local/mpp:1.22" }), {
    "sidecar.istio.io/proxyImage": "registry.local/mpp:1.22",
  });
  assert.equal(annotations({ proxyImage: false }), undefined);
  assert.throws(() => annotations({ proxyImage: "" }), /Name the sidecar image in proxyImage/);
});
