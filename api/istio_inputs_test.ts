import assert from "node:assert/strict";
import { consistentHashHeader } from "./destination_rule.ts";
import {
  decodeDestinationRule,
  decodeGateway,
  decodeMeshConfig,
  decodeServiceEntry,
  decodeVirtualService,
} from "./decode.ts";
import { type Decoded, formatProblem } from "./problem.ts";

const NET = "networking.istio.io/v1alpha3";
function obj(kind: string, spec: unknown, apiVersion = NET) {
  return { apiVersion, kind, metadata: { name: "x", namespace: "demo" }, spec };
}
function value<T>(result: Decoded<T>): T {
  if (!result.ok) assert.fail(result.problems.map(formatProblem).join("\n"));
  return result.value;
}
function problems(result: Decoded<unknown>): string[] {
  return result.ok ? [] : result.problems.map(formatProblem);
}

const SE = {
  hosts: ["org.apache.dubbo.samples.basic.api.demoservice"],
  addresses: ["240.240.0.1"],
  ports: [{ number: 20880, name: "tcp-dubbo", protocol: "TCP", targetPort: 20881 }],
  location: "MESH_INTERNAL",
  resolution: "STATIC",
  endpoints: [{
    address: "10.0.0.1",
    ports: { "tcp-dubbo": 20880 },
    labels: { version: "v1" },
    network: "n1",
    locality: "r/z",
    weight: 1,
    serviceAccount: "sa",
  }],
  workloadSelector: { labels: { app: "dubbo" } },
  exportTo: ["*"],
  subjectAltNames: ["spiffe://x"],
};

Deno.test("decodeServiceEntry() decodes the fields Aeraki reads, in every Istio version", () => {
  for (const v of ["v1alpha3", "v1beta1", "v1"]) {
    assert.deepEqual(
      value(decodeServiceEntry(obj("ServiceEntry", SE, `networking.istio.io/${v}`))).spec,
      SE,
    );
  }
});

Deno.test("decodeServiceEntry() drops fields it does not read and flags Q1 port names", () => {
  const decoded = value(decodeServiceEntry(obj("ServiceEntry", { ...SE, futureField: 1 })));
  assert.equal("futureField" in decoded.spec, false);
  assert.deepEqual(
    problems(
      decodeServiceEntry(
        obj("ServiceEntry", { hosts: ["a"], ports: [{ number: 1, name: "tcp-metaprotocol" }] }),
      ),
    ),
    [
      'spec.ports[0].name: Add the application protocol to the port name, e.g. "tcp-metaprotocol-thrift": "tcp-metaprotocol" names none',
    ],
  );
});

const DR = {
  host: "thrift-sample-server",
  trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "userId" } } },
  subsets: [
    { name: "v1", labels: { version: "v1" } },
    {
      name: "v2",
      labels: { version: "v2" },
      trafficPolicy: {
        loadBalancer: { consistentHash: { httpHeaderName: "tenant", minimumRingSize: 1024 } },
      },
    },
  ],
  exportTo: ["."],
};

Deno.test("decodeDestinationRule() decodes subsets and consistent hash", () => {
  const rule = value(decodeDestinationRule(obj("DestinationRule", DR)));
  assert.deepEqual(rule.spec, DR);
  assert.equal(consistentHashHeader(rule.spec, undefined), "userId");
  assert.equal(consistentHashHeader(rule.spec, "v2"), "tenant");
  assert.equal(consistentHashHeader(rule.spec, "v1"), undefined);
});

const VS = {
  hosts: ["org.apache.dubbo.samples.basic.api.demoservice"],
  gateways: ["mesh"],
  http: [{
    name: "v1",
    match: [{
      method: { exact: "sayHello" },
      headers: { user: { prefix: "admin" }, tenant: { regex: "t-.*" } },
    }],
    route: [
      { destination: { host: "demoservice", subset: "v1", port: { number: 20880 } }, weight: 30 },
      { destination: { host: "demoservice", subset: "v2" }, weight: 70 },
    ],
  }],
  tcp: [{ match: [{ port: 9000 }], route: [{ destination: { host: "tcp.demo" } }] }],
  exportTo: ["*"],
};

Deno.test("decodeVirtualService() decodes http and tcp routes", () => {
  assert.deepEqual(value(decodeVirtualService(obj("VirtualService", VS))).spec, VS);
});

Deno.test("decodeVirtualService() checks method regexes as RE2", () => {
  const bad = { http: [{ match: [{ method: { regex: "(?=x)" } }] }] };
  assert.deepEqual(problems(decodeVirtualService(obj("VirtualService", bad))), [
    'spec.http[0].match[0].method.regex: Rewrite the regex "(?=x)" in RE2 syntax: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
  ]);
});

const GW = {
  selector: { istio: "ingressgateway" },
  servers: [{
    port: { number: 9090, name: "tcp-metaprotocol-thrift-9090", protocol: "TCP" },
    hosts: ["*"],
  }],
};

Deno.test("decodeGateway() decodes servers and selector", () => {
  assert.deepEqual(value(decodeGateway(obj("Gateway", GW))).spec, GW);
  assert.deepEqual(
    problems(decodeGateway(obj("Gateway", { servers: [{ port: { number: 0 } }] }))),
    [
      "spec.servers[0].port.number: Use a port number between 1 and 65535: got 0",
    ],
  );
});

Deno.test("decodeMeshConfig() decodes the access log and tracing settings", () => {
  const mesh = {
    accessLogFile: "/dev/stdout",
    accessLogEncoding: "JSON",
    accessLogFormat: "[%START_TIME%]",
    enableTracing: true,
    defaultConfig: { tracing: { sampling: 100 } },
  };
  assert.deepEqual(
    value(decodeMeshConfig({ ...mesh, outboundTrafficPolicy: { mode: "ALLOW_ANY" } })),
    mesh,
  );
  assert.deepEqual(
    problems(
      decodeMeshConfig({ accessLogEncoding: "XML", defaultConfig: { tracing: { sampling: 101 } } }),
    ),
    [
      'accessLogEncoding: Use one of "TEXT", "JSON": got "XML"',
      "defaultConfig.tracing.sampling: Use a sampling percentage between 0 and 100: got 101",
    ],
  );
});
