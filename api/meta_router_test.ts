import assert from "node:assert/strict";
import { decodeMetaRouter } from "./decode.ts";
import { DEFAULT_REQUEST_TIMEOUT } from "./meta_rate_limit.ts";
import { isCatchAll } from "./meta_route.ts";
import { type MetaRouter, metaRouterWarnings } from "./meta_router.ts";
import { formatProblem } from "./problem.ts";
import { stringMatchKind } from "./string_match.ts";

const HOST = "thrift-sample-server.meta-thrift.svc.cluster.local";

function object(spec: Record<string, unknown>) {
  return {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: {
      name: "everything",
      namespace: "meta-thrift",
      labels: { app: "x" },
      annotations: { note: "y" },
      resourceVersion: "7",
      uid: "u-1",
      managedFields: [{ manager: "kubectl" }],
    },
    spec,
  };
}

function decode(spec: Record<string, unknown>): MetaRouter {
  const result = decodeMetaRouter(object(spec));
  if (!result.ok) assert.fail(result.problems.map(formatProblem).join("\n"));
  return result.value;
}

const EVERY_FIELD = {
  hosts: [HOST],
  gateways: ["istio-system/istio-ingressgateway", "local-gateway"],
  routes: [{
    name: "split",
    match: {
      attributes: {
        method: { exact: "sayHello" },
        interface: { prefix: "org.apache" },
        user: { regex: "admin-[0-9]+" },
        tenant: {},
      },
    },
    route: [
      { destination: { host: HOST, subset: "v1", port: { number: 9090 } }, weight: 20 },
      { destination: { host: HOST, subset: "v2" }, weight: 80 },
    ],
    mirror: { host: HOST, subset: "v3", port: { number: 9091 } },
    mirrorPercentage: { value: 12.5 },
    requestMutation: [{ key: "foo", value: "bar" }],
    responseMutation: [{ key: "server", value: "aeraki" }],
  }],
  localRateLimit: {
    tokenBucket: { maxTokens: 5, tokensPerFill: 5, fillInterval: "60s" },
    conditions: [{
      match: { attributes: { method: { exact: "sayHello" } } },
      tokenBucket: { maxTokens: 2, tokensPerFill: 2, fillInterval: "1.5s" },
    }],
  },
  globalRateLimit: {
    match: { attributes: { method: { exact: "sayHello" } } },
    domain: "production",
    requestTimeout: "100ms",
    denyOnFail: true,
    rateLimitService: "outbound|8081||rate-limit-server.meta-thrift.svc.cluster.local",
    descriptors: [{ property: "method", descriptorKey: "method" }],
  },
  exportTo: [".", "default"],
};

Deno.test("decodeMetaRouter() decodes every field of the spec unchanged", () => {
  const router = decode(EVERY_FIELD);
  assert.deepEqual(router.spec, EVERY_FIELD);
  assert.equal(router.metadata.name, "everything");
  assert.deepEqual(router.metadata.labels, { app: "x" });
  assert.deepEqual(router.metadata.managedFields, [{ manager: "kubectl" }]);
});

Deno.test("decodeMetaRouter() defaults globalRateLimit.requestTimeout to 20ms (Q7)", () => {
  const { requestTimeout: _, ...global } = EVERY_FIELD.globalRateLimit;
  const router = decode({ hosts: [HOST], globalRateLimit: global });
  assert.equal(router.spec.globalRateLimit?.requestTimeout, DEFAULT_REQUEST_TIMEOUT);
  assert.equal(DEFAULT_REQUEST_TIMEOUT, "20ms");
});

Deno.test("decodeMetaRouter() rejects a requestTimeout that is not a duration", () => {
  const result = decodeMetaRouter(object({
    hosts: [HOST],
    globalRateLimit: { ...EVERY_FIELD.globalRateLimit, requestTimeout: "0s" },
  }));
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    'spec.globalRateLimit.requestTimeout: Use a duration greater than zero: got "0s"',
  ]);
});

Deno.test("decodeMetaRouter() keeps an empty string match as a presence match (Q19)", () => {
  const router = decode(EVERY_FIELD);
  const attributes = router.spec.routes?.[0].match?.attributes ?? {};
  assert.deepEqual(
    Object.fromEntries(Object.entries(attributes).map(([k, m]) => [k, stringMatchKind(m)])),
    { method: "exact", interface: "prefix", user: "regex", tenant: "present" },
  );
});

Deno.test("decodeMetaRouter() accepts the gateway demo's exact empty method", () => {
  const router = decode({
    hosts: [HOST],
    gateways: ["istio-system/istio-ingressgateway"],
    routes: [{
      match: { attributes: { method: { exact: "" } } },
      route: [{ destination: { host: HOST, port: { number: 9090 }, subset: "v1" } }],
    }],
  });
  assert.equal(stringMatchKind(router.spec.routes![0].match!.attributes!.method), "exact");
});

Deno.test("decodeMetaRouter() accepts mixed-case hosts and subsets as Istio does", () => {
  const router = decode({
    hosts: ["org.apache.dubbo.samples.basic.api.DemoService"],
    routes: [{ route: [{ destination: { host: "Demo.svc.", subset: "V1" } }] }],
  });
  assert.equal(router.spec.routes?.[0].route[0].destination.subset, "V1");
});

Deno.test("metaRouterWarnings() flags every route after a catch-all route", () => {
  const route = { route: [{ destination: { host: HOST } }] };
  const router = decode({
    hosts: [HOST],
    routes: [
      { name: "a", match: { attributes: { m: { exact: "x" } } }, ...route },
      { name: "all", match: { attributes: {} }, ...route },
      { name: "late", match: { attributes: { m: { exact: "y" } } }, ...route },
      route,
    ],
  });
  assert.deepEqual(metaRouterWarnings(router).map(formatProblem), [
    'spec.routes[2]: Move or remove route "late": it follows the catch-all route at spec.routes[1] and can never match',
    "spec.routes[3]: Move or remove route: it follows the catch-all route at spec.routes[1] and can never match",
  ]);
  assert.equal(isCatchAll(router.spec.routes![0]), false);
});

Deno.test('metaRouterWarnings() warns that exportTo ["~"] generates nothing (Q14)', () => {
  const router = decode({ hosts: [HOST], routes: EVERY_FIELD.routes, exportTo: ["~"] });
  assert.deepEqual(metaRouterWarnings(router).map(formatProblem), [
    'spec.exportTo: Remove "~" unless you mean it: the MetaRouter is exported nowhere, so no EnvoyFilter is generated for its host',
  ]);
});

Deno.test("metaRouterWarnings() is empty for a well-ordered router", () => {
  assert.deepEqual(metaRouterWarnings(decode(EVERY_FIELD)), []);
});

Deno.test("decodeMetaRouter() rejects a bad gateway reference", () => {
  const result = decodeMetaRouter(object({ ...EVERY_FIELD, gateways: ["a/b/c", "/gw"] }));
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    'spec.gateways[0]: Name the gateway as "name" or "namespace/name": got "a/b/c"',
    'spec.gateways[1]: Name the gateway as "name" or "namespace/name": got "/gw"',
  ]);
});

Deno.test("decodeMetaRouter() never throws on garbage", () => {
  for (const input of [null, 1, "x", [], {}, { spec: null }, { kind: "MetaRouter", spec: [] }]) {
    const result = decodeMetaRouter(input);
    assert.equal(result.ok, false);
  }
});
