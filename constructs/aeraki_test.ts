import assert from "node:assert/strict";
import { App, Chart, Testing } from "cdk8s";
import {
  ApplicationProtocol,
  DubboAuthorizationPolicy,
  MetaRouter,
  RedisDestination,
  RedisService,
} from "./aeraki.ts";

Deno.test("Aeraki kind constructs synthesize one object each with group, version and kind", () => {
  const chart = new Chart(Testing.app(), "mesh", { namespace: "ns" });
  new ApplicationProtocol(chart, "trpc", {
    metadata: { name: "trpc" },
    spec: { protocol: "trpc", codec: "aeraki.meta_protocol.codec.trpc" },
  });
  new MetaRouter(chart, "mr", {
    spec: {
      hosts: ["a.ns.svc.cluster.local"],
      routes: [{
        name: "r",
        route: [{ destination: { host: "a.ns.svc.cluster.local", subset: "v1" } }],
      }],
    },
  });
  new RedisService(chart, "rs", {
    spec: {
      host: ["r.ns.svc.cluster.local"],
      redis: [{ route: { host: "r.ns.svc.cluster.local" } }],
    },
  });
  new RedisDestination(chart, "rd", { spec: { host: "r.ns.svc.cluster.local" } });
  new DubboAuthorizationPolicy(chart, "dap", {
    spec: { action: "ALLOW", rules: [{ to: [{ operation: { methods: ["sayHello"] } }] }] },
  });
  assert.deepEqual(Testing.synth(chart).map((o) => `${o.apiVersion} ${o.kind}`), [
    "metaprotocol.aeraki.io/v1alpha1 ApplicationProtocol",
    "metaprotocol.aeraki.io/v1alpha1 MetaRouter",
    "redis.aeraki.io/v1alpha1 RedisService",
    "redis.aeraki.io/v1alpha1 RedisDestination",
    "dubbo.aeraki.io/v1alpha1 DubboAuthorizationPolicy",
  ]);
});

Deno.test("an invalid MetaRouter fails synth with the schema's message and the construct path", () => {
  const app = new App({ outdir: Deno.makeTempDirSync() });
  const chart = new Chart(app, "mesh", { namespace: "ns" });
  new MetaRouter(chart, "mr", {
    spec: {
      hosts: ["a.ns.svc.cluster.local", "b.ns.svc.cluster.local"],
      routes: [{ route: [{ destination: { host: "a.ns.svc.cluster.local" }, weight: 120 }] }],
    },
  });
  assert.throws(() => app.synth(), (e: Error) => {
    assert.match(e.message, /\[mesh\/mr\] Invalid MetaRouter: spec\.hosts: /);
    assert.match(
      e.message,
      /\[mesh\/mr\] Invalid MetaRouter: spec\.routes\[0\]\.route\[0\]\.weight: /,
    );
    return true;
  });
});

Deno.test("an ApplicationProtocol without a codec fails synth", () => {
  const app = new App({ outdir: Deno.makeTempDirSync() });
  const chart = new Chart(app, "mesh");
  new ApplicationProtocol(chart, "p", { spec: { protocol: "brpc", codec: "" } });
  assert.throws(() => app.synth(), /\[mesh\/p\] Invalid ApplicationProtocol: spec\.codec/);
});
