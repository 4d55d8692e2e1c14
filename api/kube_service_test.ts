import assert from "node:assert/strict";
import { decodeService, decodeServiceEntry } from "./decode.ts";
import { type Service, serviceToServiceEntry } from "./kube_service.ts";
import { formatProblem } from "./problem.ts";

const SERVICE: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: {
    name: "thrift-sample-server",
    namespace: "meta-thrift",
    labels: { app: "thrift-sample-server" },
    annotations: { "networking.istio.io/exportTo": "., istio-system" },
  },
  spec: {
    type: "ClusterIP",
    clusterIP: "10.96.0.7",
    clusterIPs: ["10.96.0.7", "fd00::7"],
    selector: { app: "thrift-sample-server" },
    ports: [
      {
        name: "tcp-metaprotocol-thrift-hello-server",
        port: 9090,
        targetPort: 9090,
        protocol: "TCP",
      },
      { name: "http-metrics", port: 15090, targetPort: "metrics" },
      { name: "grpc", port: 8080, appProtocol: "grpc" },
    ],
  },
};

Deno.test("decodeService() decodes a Service with int-or-string targetPort", () => {
  const result = decodeService(SERVICE);
  assert.ok(result.ok);
  assert.deepEqual(result.value, SERVICE);
});

Deno.test("decodeService() flags a tcp-metaprotocol port without protocol (Q1)", () => {
  const result = decodeService({
    ...SERVICE,
    spec: { ports: [{ name: "tcp-metaprotocol", port: 9090 }] },
  });
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    'spec.ports[0].name: Add the application protocol to the port name, e.g. "tcp-metaprotocol-thrift": "tcp-metaprotocol" names none',
  ]);
});

Deno.test("serviceToServiceEntry() builds Istio's synthetic ServiceEntry", () => {
  assert.deepEqual(serviceToServiceEntry(SERVICE), {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: {
      name: "synthetic-thrift-sample-server",
      namespace: "meta-thrift",
      labels: { app: "thrift-sample-server" },
      annotations: { "networking.istio.io/exportTo": "., istio-system" },
    },
    spec: {
      hosts: ["thrift-sample-server.meta-thrift.svc.cluster.local"],
      addresses: ["10.96.0.7", "fd00::7"],
      ports: [
        { number: 9090, protocol: "TCP", name: "tcp-metaprotocol-thrift-hello-server" },
        { number: 15090, protocol: "HTTP", name: "http-metrics" },
        { number: 8080, protocol: "GRPC", name: "grpc" },
      ],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      workloadSelector: { labels: { app: "thrift-sample-server" } },
      exportTo: [".", "istio-system"],
    },
  });
});

Deno.test("serviceToServiceEntry() resolves a headless Service with NONE and no address", () => {
  const se = serviceToServiceEntry(
    {
      ...SERVICE,
      metadata: { name: "redis" },
      spec: { clusterIP: "None", ports: [{ name: "tcp-redis", port: 6379 }] },
    },
    { domain: "corp.local" },
  );
  assert.deepEqual(se.spec, {
    hosts: ["redis.default.svc.corp.local"],
    ports: [{ number: 6379, protocol: "TCP", name: "tcp-redis" }],
    location: "MESH_INTERNAL",
    resolution: "NONE",
  });
  assert.equal(se.metadata.namespace, "default");
});

Deno.test("serviceToServiceEntry() output decodes as a ServiceEntry", () => {
  assert.equal(decodeServiceEntry(serviceToServiceEntry(SERVICE)).ok, true);
});
