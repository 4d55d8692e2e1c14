import assert from "node:assert/strict";
import type { DestinationRule, ServiceEntry } from "../../../api/mod.ts";
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from "../../../proto/mod.ts";
import { assertEnvoyConfig } from "../../../tests/envoy_proto.ts";
import {
  destinationRule,
  metaRouter,
  splitRoute,
  syntheticMesh,
  withChangedRouter,
} from "../../../tests/generate_fixtures.ts";
import { EMPTY_SNAPSHOT } from "../snapshot.ts";
import { buildProxyResources, ProxyGenerator, type ProxyResources } from "./proxy_generator.ts";

const HOST = "thrift-sample-server.meta-thrift.svc.cluster.local";
const NS = "meta-thrift";

function thriftService(extra: Partial<ServiceEntry["spec"]> = {}): ServiceEntry {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { name: "thrift-sample-server", namespace: NS },
    spec: {
      hosts: [HOST],
      addresses: ["127.0.0.10"],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-hello", protocol: "TCP" }],
      resolution: "STATIC",
      endpoints: [
        {
          address: "127.0.0.1",
          ports: { "tcp-metaprotocol-thrift-hello": 9191 },
          labels: { version: "v2" },
        },
        {
          address: "127.0.0.1",
          ports: { "tcp-metaprotocol-thrift-hello": 9190 },
          labels: { version: "v1" },
        },
        { address: "127.0.0.2", labels: { version: "v1" }, weight: 3, locality: "eu/west" },
      ],
      ...extra,
    },
  };
}

function policyRule(): DestinationRule {
  const rule = destinationRule(HOST, NS);
  return {
    ...rule,
    spec: {
      ...rule.spec,
      trafficPolicy: {
        loadBalancer: { simple: "ROUND_ROBIN" },
        connectionPool: {
          tcp: {
            maxConnections: 100,
            connectTimeout: "250ms",
            tcpKeepalive: { time: "7200s", probes: 3 },
          },
          http: { http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRetries: 2 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          interval: "10s",
          baseEjectionTime: "30s",
          maxEjectionPercent: 50,
          minHealthPercent: 20,
        },
      },
    },
  };
}

function checkAll(out: ProxyResources): void {
  for (const l of out.listeners) assertEnvoyConfig(LISTENER_TYPE_URL, l);
  for (const c of out.clusters) assertEnvoyConfig(CLUSTER_TYPE_URL, c);
  for (const a of out.loadAssignments) assertEnvoyConfig(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, a);
  for (const r of out.routeConfigurations) assertEnvoyConfig(ROUTE_CONFIGURATION_TYPE_URL, r);
}

function byName<T extends { name: string }>(list: readonly T[], name: string): T {
  const found = list.find((x) => x.name === name);
  assert.ok(found, `no resource "${name}" in ${list.map((x) => x.name).join(", ")}`);
  return found;
}

const snapshot = {
  ...EMPTY_SNAPSHOT,
  serviceEntries: [thriftService()],
  destinationRules: [policyRule()],
  metaRouters: [metaRouter(HOST, NS, [splitRoute(HOST, 30)])],
};

Deno.test("buildProxyResources() gives a cluster per subset with the traffic policy", () => {
  const out = buildProxyResources(snapshot);
  checkAll(out);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(out.clusters.map((c) => c.name), [
    `outbound|9090||${HOST}`,
    `outbound|9090|v1|${HOST}`,
    `outbound|9090|v2|${HOST}`,
  ]);
  const all = byName(out.clusters, `outbound|9090||${HOST}`);
  assert.equal(all.type, "EDS");
  assert.equal(all.lbPolicy, "ROUND_ROBIN");
  assert.equal(all.connectTimeout, "0.250s");
  assert.deepEqual(all.circuitBreakers, {
    thresholds: [{
      maxConnections: 100,
      maxPendingRequests: 10,
      maxRequests: 1000,
      maxRetries: 2,
      trackRemaining: true,
    }],
  });
  assert.deepEqual(all.upstreamConnectionOptions, {
    tcpKeepalive: { keepaliveProbes: 3, keepaliveTime: 7200 },
  });
  assert.deepEqual(all.outlierDetection, {
    consecutive5xx: 5,
    enforcingConsecutive5xx: 100,
    enforcingConsecutiveGatewayFailure: 0,
    interval: "10s",
    baseEjectionTime: "30s",
    maxEjectionPercent: 50,
    enforcingSuccessRate: 0,
  });
  assert.deepEqual(all.commonLbConfig, { healthyPanicThreshold: { value: 20 } });
  // Subset v1 hashes by "method" (the fixture's consistentHash); its route carries the key.
  assert.equal(byName(out.clusters, `outbound|9090|v1|${HOST}`).lbPolicy, "RING_HASH");
  assert.equal(byName(out.clusters, `outbound|9090|v2|${HOST}`).lbPolicy, "ROUND_ROBIN");
  const route = JSON.stringify(out.routeConfigurations[0]);
  assert.match(route, /"hashPolicy":\[\{"header":\{"headerName":"method"\}\}\]/);
});

Deno.test("buildProxyResources() filters endpoints by subset labels and groups by locality", () => {
  const out = buildProxyResources(snapshot);
  const cla = (subset: string) =>
    out.loadAssignments.find((a) => a.clusterName === `outbound|9090|${subset}|${HOST}`);
  const ep = (address: string, port: number, weight?: number) => ({
    endpoint: { address: { socketAddress: { address, portValue: port } } },
    ...(weight ? { loadBalancingWeight: weight } : {}),
  });
  assert.deepEqual(cla("v1")?.endpoints, [
    { lbEndpoints: [ep("127.0.0.1", 9190)] },
    { locality: { region: "eu", zone: "west" }, lbEndpoints: [ep("127.0.0.2", 9090, 3)] },
  ]);
  assert.deepEqual(cla("v2")?.endpoints, [{ lbEndpoints: [ep("127.0.0.1", 9191)] }]);
  assert.equal((cla("")?.endpoints as unknown[]).length, 2);
});

Deno.test("buildProxyResources() gives a MetaProtocol listener per VIP with routes over ADS", () => {
  const out = buildProxyResources(snapshot);
  const listener = byName(out.listeners, "127.0.0.10_9090");
  assert.deepEqual(listener.address, { socketAddress: { address: "127.0.0.10", portValue: 9090 } });
  const chains = listener.filterChains as {
    filters: { name: string; typedConfig: Record<string, unknown> }[];
  }[];
  const filter = chains[0].filters[0];
  assert.equal(filter.name, "envoy.filters.network.meta_protocol_proxy");
  assert.equal(
    filter.typedConfig["@type"],
    "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy",
  );
  assert.deepEqual(filter.typedConfig.codec, { name: "aeraki.meta_protocol.codec.thrift" });
  assert.deepEqual(filter.typedConfig.rds, {
    configSource: { ads: {}, resourceApiVersion: "V3" },
    routeConfigName: `${HOST}_9090`,
  });
  assert.deepEqual(out.routeConfigurations.map((r) => r.name), [`${HOST}_9090`]);
});

Deno.test("buildProxyResources() maps consistent hash, simple policies and port-level settings", () => {
  const rule = policyRule();
  const withPorts: DestinationRule = {
    ...rule,
    spec: {
      ...rule.spec,
      trafficPolicy: {
        loadBalancer: { simple: "RANDOM" },
        portLevelSettings: [{
          port: { number: 9090 },
          loadBalancer: { consistentHash: { httpHeaderName: "user", minimumRingSize: 2048 } },
        }],
      },
      subsets: [{
        name: "v2",
        labels: { version: "v2" },
        trafficPolicy: { loadBalancer: { simple: "LEAST_CONN" } },
      }],
    },
  };
  const out = buildProxyResources({ ...snapshot, destinationRules: [withPorts] });
  checkAll(out);
  const all = byName(out.clusters, `outbound|9090||${HOST}`);
  assert.equal(all.lbPolicy, "RING_HASH");
  assert.deepEqual(all.ringHashLbConfig, { minimumRingSize: "2048" });
  assert.equal(byName(out.clusters, `outbound|9090|v2|${HOST}`).lbPolicy, "LEAST_REQUEST");
  assert.equal(all.connectTimeout, "10s");
  assert.equal(all.outlierDetection, undefined);
});

Deno.test("buildProxyResources() reports bad policy fields with their path and keeps the rest", () => {
  const rule = policyRule();
  const bad: DestinationRule = {
    ...rule,
    spec: {
      ...rule.spec,
      trafficPolicy: {
        loadBalancer: { simple: "PASSTHROUGH" },
        connectionPool: { tcp: { maxConnections: -1, connectTimeout: "soon" } },
      },
    },
  };
  const out = buildProxyResources({ ...snapshot, destinationRules: [bad] });
  checkAll(out);
  const fields = out.problems.map((p) => `${p.object} ${p.field}`);
  assert.deepEqual(fields, [
    `DestinationRule/${NS}/thrift-sample-server spec.trafficPolicy.connectionPool.tcp.connectTimeout`,
    `DestinationRule/${NS}/thrift-sample-server spec.trafficPolicy.connectionPool.tcp.maxConnections`,
    `DestinationRule/${NS}/thrift-sample-server spec.trafficPolicy.loadBalancer.simple`,
  ]);
  assert.match(
    out.problems[1].message,
    /^Set "maxConnections" to a whole number from 0 to 4294967295: got -1$/,
  );
  const all = byName(out.clusters, `outbound|9090||${HOST}`);
  assert.equal(all.lbPolicy, "LEAST_REQUEST");
  assert.equal(all.connectTimeout, "10s");
});

Deno.test("buildProxyResources() reads EndpointSlices and pod labels for Kubernetes services", () => {
  const se = thriftService({ endpoints: undefined });
  delete (se.spec as { endpoints?: unknown }).endpoints;
  const slice = {
    metadata: {
      name: "s-1",
      namespace: NS,
      labels: { "kubernetes.io/service-name": "thrift-sample-server" },
    },
    addressType: "IPv4",
    ports: [{ name: "tcp-metaprotocol-thrift-hello", port: 7000 }],
    endpoints: [
      {
        addresses: ["10.0.0.1"],
        conditions: { ready: true },
        targetRef: { kind: "Pod", name: "a" },
      },
      {
        addresses: ["10.0.0.2"],
        conditions: { ready: true },
        targetRef: { kind: "Pod", name: "b" },
      },
      {
        addresses: ["10.0.0.3"],
        conditions: { ready: false },
        targetRef: { kind: "Pod", name: "c" },
      },
    ],
  };
  const pod = (name: string, version: string) => ({
    metadata: { name, namespace: NS, labels: { version } },
  });
  const out = buildProxyResources({
    ...snapshot,
    serviceEntries: [se],
    endpointSlices: [slice],
    pods: [pod("a", "v1"), pod("b", "v2"), pod("c", "v1")],
  });
  checkAll(out);
  const addresses = (subset: string) =>
    JSON.stringify(
      out.loadAssignments.find((a) => a.clusterName === `outbound|9090|${subset}|${HOST}`),
    )
      .match(/10\.0\.0\.\d:?/g);
  assert.deepEqual(addresses("v1"), ["10.0.0.1"]);
  assert.deepEqual(addresses(""), ["10.0.0.1", "10.0.0.2"]);
  assert.match(JSON.stringify(out.loadAssignments[0]), /"portValue":7000/);
});

Deno.test("buildProxyResources() resolves DNS services inline", () => {
  const se = thriftService({
    resolution: "DNS",
    endpoints: [{ address: "thrift.example.com", labels: { version: "v1" } }],
  });
  const out = buildProxyResources({ ...snapshot, serviceEntries: [se] });
  checkAll(out);
  const v1 = byName(out.clusters, `outbound|9090|v1|${HOST}`);
  assert.equal(v1.type, "STRICT_DNS");
  assert.match(JSON.stringify(v1.loadAssignment), /thrift\.example\.com/);
  assert.deepEqual(out.loadAssignments, []);
});

Deno.test("buildProxyResources() reports a listener two services claim and a duplicate host", () => {
  const other: ServiceEntry = {
    ...thriftService(),
    metadata: { name: "zz-other", namespace: NS },
    spec: { ...thriftService().spec, hosts: ["other.meta-thrift.svc.cluster.local"] },
  };
  const dup: ServiceEntry = { ...thriftService(), metadata: { name: "zz-dup", namespace: NS } };
  const out = buildProxyResources({ ...snapshot, serviceEntries: [thriftService(), other, dup] });
  assert.ok(out.problems.some((p) => p.object === `ServiceEntry/${NS}/zz-dup`));
  const claimed = out.problems.filter((p) => p.field === "spec.addresses");
  assert.deepEqual(claimed.map((p) => p.object), [`ServiceEntry/${NS}/zz-other`]);
  assert.equal(
    claimed[0].message,
    `Change the address or port: listener "127.0.0.10_9090" already belongs to ServiceEntry/${NS}/thrift-sample-server`,
  );
  assert.equal(out.clusters.filter((c) => c.name === `outbound|9090||${HOST}`).length, 1);
  assert.deepEqual(out.listeners.map((l) => l.name), ["127.0.0.10_9090"]);
});

Deno.test("ProxyGenerator.generate() is deterministic and reuses unchanged services", () => {
  const mesh = syntheticMesh(20);
  const gen = new ProxyGenerator();
  const first = gen.generate(mesh);
  assert.deepEqual(buildProxyResources(structuredClone(mesh)), first);
  const second = gen.generate(withChangedRouter(mesh, 3, 70));
  assert.equal(second.clusters.length, 60);
  second.clusters.forEach((c, i) => assert.equal(c, first.clusters[i]));
  const changed = second.routeConfigurations.filter((r, i) => r !== first.routeConfigurations[i]);
  assert.deepEqual(changed.map((r) => r.name), ["svc3.ns3.svc.cluster.local_9090"]);
});
