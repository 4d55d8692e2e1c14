/**
 * A Dubbo service registered through a ServiceEntry (as in upstream's MetaProtocol e2e
 * tests): `sayHello` goes to v2 with a header mutation, other methods go to v1 and half of
 * them are mirrored to v2; each server instance admits 100 requests a minute, 10 of them
 * `sayHello`.
 *
 * @module
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { DestinationRule, MetaRouterBuilder, ServiceEntry } from "../constructs/mod.ts";

const HOST = "org.apache.dubbo.samples.basic.api.demoservice";

/** Builds the chart. */
export function dubboRouting(scope: Construct): Chart {
  const chart = new Chart(scope, "dubbo-routing", {
    namespace: "meta-dubbo",
    disableResourceNameHashes: true,
  });
  new ServiceEntry(chart, "demoservice", {
    metadata: {
      name: "dubbo-demoservice",
      annotations: { interface: "org.apache.dubbo.samples.basic.api.DemoService" },
    },
    spec: {
      hosts: [HOST],
      addresses: ["240.240.0.10"],
      ports: [{ number: 20880, name: "tcp-metaprotocol-dubbo", protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      workloadSelector: { labels: { app: "dubbo-sample-provider" } },
    },
  });
  const dr = new DestinationRule(chart, "subsets", {
    metadata: { name: "dubbo-sample-provider" },
    spec: {
      host: HOST,
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
    },
  });
  const router = new MetaRouterBuilder(chart, "router", {
    host: HOST,
    destinationRule: dr,
    metadata: { name: "demoservice" },
    exportTo: ["meta-dubbo"],
  });
  router.route("say-hello")
    .whenExact("interface", "org.apache.dubbo.samples.basic.api.DemoService")
    .whenExact("method", "sayHello")
    .to("v2")
    .mutateRequest({ foo: "bar", foo1: "bar1" });
  router.route("others").to("v1").mirror("v2", 50);
  router.localRateLimit({
    tokenBucket: { maxTokens: 100, tokensPerFill: 100, fillInterval: "60s" },
    conditions: [{
      match: { attributes: { method: { exact: "sayHello" } } },
      tokenBucket: { maxTokens: 10, tokensPerFill: 10, fillInterval: "60s" },
    }],
  });
  return chart;
}
