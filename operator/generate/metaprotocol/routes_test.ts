import assert from "node:assert/strict";
import type { DestinationRule, MetaRoute, MetaRouter } from "../../../api/mod.ts";
import { buildMetaRouteConfiguration, toRdsRouteConfiguration } from "./routes.ts";

const HOST = "svc.demo.svc.cluster.local";
const RULE: DestinationRule = {
  apiVersion: "networking.istio.io/v1alpha3",
  kind: "DestinationRule",
  metadata: { name: "svc", namespace: "demo" },
  spec: {
    host: HOST,
    trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "user" } } },
    subsets: [
      { name: "a", trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "m" } } } },
      { name: "b", trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "m" } } } },
      { name: "plain" },
    ],
  },
};

function routesOf(routes: MetaRoute[], rule: DestinationRule | undefined = RULE) {
  const router: MetaRouter = {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name: "r", namespace: "demo" },
    spec: { hosts: [HOST], routes },
  };
  return buildMetaRouteConfiguration({ host: HOST, destinationRule: rule }, 9090, router).routes;
}

Deno.test("buildMetaRouteConfiguration() takes hash keys from subsets, without duplicates", () => {
  const [route] = routesOf([{
    route: [
      { destination: { host: HOST, subset: "a" }, weight: 50 },
      { destination: { host: HOST, subset: "b" }, weight: 50 },
    ],
  }]);
  assert.deepEqual((route.route as { hashPolicy: string[] }).hashPolicy, ["m"]);
});

Deno.test("buildMetaRouteConfiguration() uses the top-level key only without a subset", () => {
  const [noSubset, plain] = routesOf([
    { route: [{ destination: { host: HOST } }] },
    { route: [{ destination: { host: HOST, subset: "plain" } }] },
  ]);
  assert.deepEqual(noSubset.route, { cluster: `outbound|9090||${HOST}`, hashPolicy: ["user"] });
  assert.deepEqual(plain.route, { cluster: `outbound|9090|plain|${HOST}` });
});

Deno.test("buildMetaRouteConfiguration() honours destination ports and fractional mirror percentages", () => {
  // Another host's traffic is not hashed by this service's DestinationRule.
  const [route] = routesOf([{
    route: [{ destination: { host: "other.demo.svc.cluster.local", port: { number: 7000 } } }],
    mirror: { host: HOST, subset: "b" },
    mirrorPercentage: { value: 0.5 },
  }]);
  assert.deepEqual(route.route, {
    cluster: "outbound|7000||other.demo.svc.cluster.local",
    requestMirrorPolicies: [{
      cluster: `outbound|9090|b|${HOST}`,
      runtimeFraction: { defaultValue: { numerator: 5000, denominator: "MILLION" } },
    }],
  });
});

Deno.test("buildMetaRouteConfiguration() routes everything to the service without a MetaRouter", () => {
  const config = buildMetaRouteConfiguration(
    { host: HOST, destinationRule: RULE },
    9090,
    undefined,
  );
  assert.deepEqual(toRdsRouteConfiguration(config), {
    name: `${HOST}_9090`,
    virtualHosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{
        name: "default",
        match: { prefix: "/" },
        route: {
          cluster: `outbound|9090||${HOST}`,
          hashPolicy: [{ header: { headerName: "user" } }],
        },
      }],
    }],
  });
});
