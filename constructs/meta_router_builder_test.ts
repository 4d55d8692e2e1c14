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

/** The lines of the validation error synth throws (each problem is one line). */
function synthErrors(app: App): string[] {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message.split("\n").slice(1).map((l) => l.trim());
  }
  return [];
}

Deno.test("MetaRouterBuilder reports weights under 100 once, in the schema's words", () => {
  const { app, router } = setup();
  router.route("split").split({ v1: 20, v2: 70 });
  assert.deepEqual(synthErrors(app), [
    '[mesh/router] Invalid MetaRouter: spec.routes[0] (route "split").route: ' +
    "Make the weights add up to 100: they add up to 90 (20 + 70)",
  ]);
});

Deno.test("MetaRouterBuilder reports weights over 100, in sum and alone", () => {
  const { app, router } = setup();
  router.route("over").split({ v1: 60, v2: 50 });
  router.route("huge").split({ v1: 150, v2: -50 });
  assert.deepEqual(synthErrors(app), [
    '[mesh/router] Invalid MetaRouter: spec.routes[0] (route "over").route: ' +
    "Make the weights add up to 100: they add up to 110 (60 + 50)",
    '[mesh/router] Invalid MetaRouter: spec.routes[1] (route "huge").route[0].weight: ' +
    "Use a weight of at most 100: got 150",
    '[mesh/router] Invalid MetaRouter: spec.routes[1] (route "huge").route[1].weight: ' +
    "Use a number between 0 and 4294967295: got -50",
  ]);
});

Deno.test("MetaRouterBuilder reports a mirror percentage without a mirror once", () => {
  const { app, router } = setup();
  router.route("m").to("v1").mirrorPercentage(30);
  router.route("n").to("v1").mirror("v2", 130);
  assert.deepEqual(synthErrors(app), [
    '[mesh/router] Invalid MetaRouter: spec.routes[0] (route "m").mirrorPercentage: ' +
    "Add a mirror destination or remove mirrorPercentage: it needs a mirror",
    '[mesh/router] Invalid MetaRouter: spec.routes[1] (route "n").mirrorPercentage.value: ' +
    "Use a mirror percentage above 0 and at most 100: got 130",
  ]);
});

Deno.test("MetaRouterBuilder rejects a subset the DestinationRule lacks", () => {
  const { app, router } = setup();
  router.route("canary").to("v3");
  router.route("shadow").to("v1").mirror("v9");
  assert.deepEqual(synthErrors(app), [
    '[mesh/router] Invalid MetaRouter: spec.routes[0] (route "canary").route[0].destination.subset: ' +
    'Use a subset of DestinationRule "thrift-sample-server" ("v1", "v2") or add "v3" to it: got "v3"',
    '[mesh/router] Invalid MetaRouter: spec.routes[1] (route "shadow").mirror.subset: ' +
    'Use a subset of DestinationRule "thrift-sample-server" ("v1", "v2") or add "v9" to it: got "v9"',
  ]);
});

Deno.test("MetaRouterBuilder rejects a regex that is not RE2", () => {
  const { app, router } = setup();
  router.route("lookahead").whenRegex("method", "say(?=Hello)").to("v1");
  const errors = synthErrors(app);
  assert.equal(errors.length, 1);
  assert.match(
    errors[0],
    /^\[mesh\/router\] Invalid MetaRouter: spec\.routes\[0\] \(route "lookahead"\)\.match\.attributes\.method\.regex: /,
  );
});

Deno.test("MetaRouterBuilder rejects a route without destination and duplicate route names", () => {
  const { app, router } = setup();
  router.route("a").whenExact("method", "x");
  router.route("b").to("v1");
  router.route("b").to("v2");
  assert.deepEqual(synthErrors(app), [
    '[mesh/router] Invalid MetaRouter: spec.routes[0] (route "a").route: ' +
    "Add at least one destination: a route must send traffic somewhere",
    '[mesh/router] Invalid MetaRouter: spec.routes[2] (route "b").name: ' +
    'Rename the route: spec.routes[1] has the name "b" too',
  ]);
});
