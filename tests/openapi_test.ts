import assert from "node:assert/strict";
import { crdSchema } from "../api/mod.ts";
import { validateAgainstSchema } from "./openapi.ts";

Deno.test("validateAgainstSchema() reports unknown fields, wrong types, bounds and required fields", () => {
  const schema = crdSchema("MetaRouter");
  const problems = validateAgainstSchema(schema as never, {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    spec: {
      hosts: ["a.b.svc.cluster.local"],
      rutes: [],
      localRateLimit: { tokenBucket: { maxTokens: -1, fillInterval: "60s" } },
      routes: [{ route: [{ destination: { host: 7 } }] }],
    },
  });
  assert.deepEqual(problems.sort(), [
    "spec.localRateLimit.tokenBucket.maxTokens: must be at least 1",
    "spec.localRateLimit.tokenBucket.tokensPerFill: is required",
    "spec.routes[0].route[0].destination.host: must be of type string, got 7",
    "spec.rutes: unknown field",
  ]);
});

Deno.test("validateAgainstSchema() accepts the MetaRouter demo of the spec", () => {
  const schema = crdSchema("MetaRouter");
  assert.deepEqual(
    validateAgainstSchema(schema as never, {
      apiVersion: "metaprotocol.aeraki.io/v1alpha1",
      kind: "MetaRouter",
      spec: {
        hosts: ["thrift-sample-server.meta-thrift.svc.cluster.local"],
        routes: [{
          name: "traffic-split",
          match: { attributes: { method: { exact: "sayHello" } } },
          route: [
            {
              destination: {
                host: "thrift-sample-server.meta-thrift.svc.cluster.local",
                subset: "v1",
              },
              weight: 20,
            },
            {
              destination: {
                host: "thrift-sample-server.meta-thrift.svc.cluster.local",
                subset: "v2",
              },
              weight: 80,
            },
          ],
        }],
      },
    }),
    [],
  );
});
