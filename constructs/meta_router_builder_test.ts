import assert from "node:assert/strict";
import { App, Chart, Testing } from "cdk8s";
import { DestinationRule } from "./istio.ts";
import { MetaRouterBuilder } from "./meta_router_builder.ts";

const HOST = "thrift-sample-server.meta-thrift.svc.cluster.local";

function setup() {
  const app = new App({ outdir: Deno.makeTempDirSync() });
  const chart = new Chart(app, "mesh", { namespace: "meta-thrift" });
  const dr = new DestinationRule(chart, "dr", {
    metadata: { name: "thrift-sample-server" },
    spec: {
      host: HOST,
      subsets: [{ name: "v1", labels: { version: "v1" } }, {
        name: "v2",
        labels: { version: "v2" },
      }],
    },
  });
  const router = new MetaRouterBuilder(chart, "router", {
    host: HOST,
    destinationRule: dr,
    metadata: { name: "r" },
  });
  return { app, chart, router };
}

Deno.test("MetaRouterBuilder synthesizes every route feature as a MetaRouter spec", () => {
  const { chart, router } = setup();
  router.route("split").whenExact("method", "sayHello").whenPrefix("version", "1.").split({
    v1: 20,
    v2: 80,
  });
  router.route("mirror").whenRegex("method", "^say.*$").to("v1").mirror("v2", 50).mutateRequest({
    foo: "bar",
  })
    .mutateResponse({ served: "v1" });
  router.route("any").whenPresent("callee").to({ host: "other.ns.svc.cluster.local", port: 9000 });
  router.localRateLimit({ tokenBucket: { maxTokens: 5, tokensPerFill: 5, fillInterval: "60s" } });
  const [, mr] = Testing.synth(chart);
  assert.equal(mr.kind, "MetaRouter");
  assert.deepEqual(mr.spec, {
    hosts: [HOST],
    routes: [
      {
        name: "split",
        match: { attributes: { method: { exact: "sayHello" }, version: { prefix: "1." } } },
        route: [
          { destination: { host: HOST, subset: "v1" }, weight: 20 },
          { destination: { host: HOST, subset: "v2" }, weight: 80 },
        ],
      },
      {
        name: "mirror",
        match: { attributes: { method: { regex: "^say.*$" } } },
        route: [{ destination: { host: HOST, subset: "v1" } }],
        mirror: { host: HOST, subset: "v2" },
        mirrorPercentage: { value: 50 },
        requestMutation: [{ key: "foo", value: "bar" }],
        responseMutation: [{ key: "served", value: "v1" }],
      },
      {
        name: "any",
        match: { attributes: { callee: {} } },
        route: [{ destination: { host: "other.ns.svc.cluster.local", port: { number: 9000 } } }],
      },
    ],
    localRateLimit: { tokenBucket: { maxTokens: 5, tokensPerFill: 5, fillInterval: "60s" } },
  });
});

Deno.test("MetaRouterBuilder rejects weights that do not sum to 100", () => {
  const { app, router } = setup();
  router.route("split").split({ v1: 20, v2: 70 });
  assert.throws(
    () => app.synth(),
    /\[mesh\/router\] Fix the weights of route "split": they must sum to 100, got 90 \(v1=20, v2=70\)/,
  );
});

Deno.test("MetaRouterBuilder rejects a mirror percentage without a mirror", () => {
  const { app, router } = setup();
  router.route("m").to("v1").mirrorPercentage(30);
  assert.throws(
    () => app.synth(),
    /Add a mirror to route "m": it sets a mirror percentage of 30 but no mirror target/,
  );
});

Deno.test("MetaRouterBuilder rejects a subset the DestinationRule lacks", () => {
  const { app, router } = setup();
  router.route("canary").to("v3");
  assert.throws(
    () => app.synth(),
    /Cannot route route "canary" to subset "v3": DestinationRule "thrift-sample-server" has only "v1", "v2"/,
  );
});

Deno.test("MetaRouterBuilder rejects a regex that is not RE2", () => {
  const { app, router } = setup();
  router.route("lookahead").whenRegex("method", "say(?=Hello)").to("v1");
  assert.throws(
    () => app.synth(),
    /\[mesh\/router\/MetaRouter\] Invalid MetaRouter: spec\.routes\[0\]\.match\.attributes\.method\.regex/,
  );
});

Deno.test("MetaRouterBuilder rejects a route without destination and duplicate route names", () => {
  const { app, router } = setup();
  router.route("a").whenExact("method", "x");
  router.route("b").to("v1");
  router.route("b").to("v2");
  assert.throws(() => app.synth(), (e: Error) => {
    assert.match(e.message, /Give route "a" a destination/);
    assert.match(e.message, /Rename route "b": route names must be unique/);
    return true;
  });
});
