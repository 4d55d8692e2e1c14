import assert from "node:assert/strict";
import { Chart, Testing } from "cdk8s";
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from "./istio.ts";

Deno.test("DestinationRule synthesizes a v1beta1 object with its subsets", () => {
  const chart = Testing.chart();
  const dr = new DestinationRule(chart, "dr", {
    metadata: { name: "reviews", namespace: "default" },
    spec: {
      host: "reviews.default.svc.cluster.local",
      subsets: [{ name: "v1", labels: { version: "v1" } }],
    },
  });
  const [obj] = Testing.synth(chart);
  assert.equal(obj.apiVersion, "networking.istio.io/v1beta1");
  assert.equal(obj.kind, "DestinationRule");
  assert.deepEqual(obj.spec.subsets, [{ name: "v1", labels: { version: "v1" } }]);
  assert.deepEqual(dr.subsetNames, ["v1"]);
});

Deno.test("ServiceEntry, VirtualService and Gateway synthesize valid Istio objects", () => {
  const chart = Testing.chart();
  new ServiceEntry(chart, "se", {
    spec: {
      hosts: ["org.apache.dubbo.samples.basic.api.demoservice"],
      ports: [{ number: 20880, name: "tcp-metaprotocol-dubbo", protocol: "TCP" }],
      resolution: "STATIC",
      workloadSelector: { labels: { app: "dubbo-sample-provider" } },
    },
  });
  new VirtualService(chart, "vs", {
    spec: { hosts: ["a"], tcp: [{ route: [{ destination: { host: "a" } }] }] },
  });
  new Gateway(chart, "gw", {
    spec: {
      selector: { istio: "ingressgateway" },
      servers: [{
        port: { number: 9090, name: "tcp-metaprotocol-thrift-9090", protocol: "TCP" },
        hosts: ["*"],
      }],
    },
  });
  assert.deepEqual(Testing.synth(chart).map((o) => o.kind), [
    "ServiceEntry",
    "VirtualService",
    "Gateway",
  ]);
});

Deno.test("DestinationRule with a wrongly typed field fails synth naming the construct and field", () => {
  const app = Testing.app();
  const chart = new Chart(app, "mesh");
  new DestinationRule(chart, "dr", {
    // deno-lint-ignore no-explicit-any
    spec: { host: "a", subsets: [{ name: 7 as any }] },
  });
  assert.throws(
    () => app.synth(),
    /\[mesh\/dr\] Invalid DestinationRule: spec\.subsets\.0\.name must be string/,
  );
});
