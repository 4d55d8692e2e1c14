import assert from "node:assert/strict";
import { assertGolden } from "../../../tests/golden.ts";
import { contextOf, filterValue, names, render, serviceEntry } from "./_helpers_test.ts";
import { kafkaGenerator, zookeeperGenerator } from "./kafka.ts";

const NS = "kafka";
const KAFKA = "my-release-kafka.kafka.svc.cluster.local";
const ZK = "my-release-zookeeper.kafka.svc.cluster.local";

// The Helm chart of §7.6: Kubernetes Services seen as synthetic ServiceEntries.
const snapshot = {
  serviceEntries: [
    serviceEntry("synthetic-my-release-kafka", NS, {
      hosts: [KAFKA],
      addresses: ["10.96.0.20"],
      ports: [{ number: 9092, name: "tcp-kafka", protocol: "TCP" }],
      workloadSelector: { labels: { "app.kubernetes.io/name": "kafka" } },
      resolution: "STATIC",
    }),
    serviceEntry("synthetic-my-release-zookeeper", NS, {
      hosts: [ZK],
      addresses: ["10.96.0.21"],
      ports: [
        { number: 8080, name: "http-admin", protocol: "HTTP" },
        { number: 2181, name: "tcp-zookeeper", protocol: "TCP" },
      ],
      workloadSelector: { labels: { "app.kubernetes.io/name": "zookeeper" } },
      resolution: "STATIC",
    }),
  ],
};

Deno.test("kafkaGenerator() inserts kafka_broker before tcp_proxy on both sides", async () => {
  const out = render(kafkaGenerator, contextOf(snapshot, KAFKA), 9092);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(names(out.envoyFilters), [
    `aeraki-outbound-${KAFKA}-10.96.0.20-9092`,
    `aeraki-inbound-${KAFKA}-9092`,
  ]);
  // TestKafkaSidecarOutboundConfig / TestKafkaSidecarInboundConfig
  assert.deepEqual(filterValue(out.envoyFilters[0]), { statPrefix: `outbound|9092||${KAFKA}` });
  assert.deepEqual(filterValue(out.envoyFilters[1]), { statPrefix: "inbound|9092||" });
  const patch = (out.envoyFilters[0].spec as { configPatches: { patch: unknown }[] })
    .configPatches[0].patch as { operation: string };
  assert.equal(patch.operation, "INSERT_BEFORE");
  await assertGolden("generate/native/kafka.yaml", out.yaml);
});

Deno.test("zookeeperGenerator() uses the port it generates, not ports[0]", async () => {
  const out = render(zookeeperGenerator, contextOf(snapshot, ZK), 2181);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(names(out.envoyFilters), [
    `aeraki-outbound-${ZK}-10.96.0.21-2181`,
    `aeraki-inbound-${ZK}-2181`,
  ]);
  assert.deepEqual(filterValue(out.envoyFilters[0]), { statPrefix: `outbound|2181||${ZK}` });
  assert.deepEqual(filterValue(out.envoyFilters[1]), { statPrefix: "inbound|2181||" });
  await assertGolden("generate/native/zookeeper.yaml", out.yaml);
});

Deno.test("kafkaGenerator() makes no outbound filter without a VIP and no inbound one without a selector", () => {
  const ctx = contextOf({
    serviceEntries: [serviceEntry("k", NS, {
      hosts: ["k.kafka.svc.cluster.local"],
      ports: [{ number: 9092, name: "tcp-kafka" }],
    })],
  }, "k.kafka.svc.cluster.local");
  const out = render(kafkaGenerator, ctx, 9092);
  assert.deepEqual(out.envoyFilters, []);
  assert.deepEqual(out.problems, []);
});
