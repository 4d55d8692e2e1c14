import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import type { Construct } from "constructs";
import { DestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule";
import { Gateway } from "@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway";
import { ServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry";
import { VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";
import { decodeObject } from "../api/mod.ts";
import { AERAKI_CRDS, buildCrd } from "../constructs/mod.ts";
import { ALL_CHARTS } from "../examples/main.ts";
import { synthChart } from "../examples/synth.ts";
import { assertEnvoyFilter } from "./envoy_proto.ts";
import { assertGolden } from "./golden.ts";
import { type SchemaNode, validateAgainstSchema } from "./openapi.ts";

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

const ISTIO_MODELS: Record<string, { new (d: never): { validate(): void } }> = {
  DestinationRule,
  Gateway,
  ServiceEntry,
  VirtualService,
  EnvoyFilter,
};

function objectsOf(yaml: string): Obj[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Obj);
}

function crdSchemaFor(group: string, kind: string): SchemaNode {
  const info = AERAKI_CRDS.find((c) => c.group === group && c.kind === kind);
  assert.ok(info, `no CRD for ${group}/${kind}`);
  // deno-lint-ignore no-explicit-any
  return (buildCrd(info) as any).spec.versions[0].schema.openAPIV3Schema;
}

for (const chart of ALL_CHARTS) {
  Deno.test(`synth renders example "${chart.name}" as in its golden file`, async () => {
    const result = synthChart(chart);
    assert.ok(result.ok, result.ok ? "" : result.error);
    await assertGolden(`examples/${chart.name}.yaml`, result.yaml);
  });

  Deno.test(`synth renders example "${chart.name}" byte-identically twice`, () => {
    const a = synthChart(chart), b = synthChart(chart);
    assert.ok(a.ok && b.ok);
    assert.equal(a.yaml, b.yaml);
  });

  Deno.test(`every object of example "${chart.name}" validates against its schema`, () => {
    const result = synthChart(chart);
    assert.ok(result.ok);
    for (const obj of objectsOf(result.yaml)) {
      const [group] = String(obj.apiVersion).split("/");
      const where = `${obj.kind}/${obj.metadata?.name}`;
      if (group.endsWith(".aeraki.io")) {
        const { metadata: _m, ...rest } = obj;
        assert.deepEqual(validateAgainstSchema(crdSchemaFor(group, obj.kind), rest), [], where);
        const decoded = decodeObject(obj);
        assert.ok(decoded.ok, `${where}: ${JSON.stringify(decoded)}`);
      } else if (group === "networking.istio.io") {
        const model = ISTIO_MODELS[obj.kind];
        assert.ok(model, `no Istio model for ${obj.kind}`);
        assert.doesNotThrow(() => new model(obj as never).validate(), where);
        if (obj.kind === "EnvoyFilter") assertEnvoyFilter(obj as never);
      }
    }
  });
}

Deno.test("the examples cover a Thrift split, Dubbo routing, Redis prefix routes and the install", () => {
  const kinds = (name: string) => {
    const r = synthChart(ALL_CHARTS.find((c) => c.name === name)!);
    assert.ok(r.ok);
    return objectsOf(r.yaml);
  };
  const thrift = kinds("thrift-split").find((o) => o.kind === "MetaRouter")!;
  assert.deepEqual(thrift.spec.routes[0].route.map((r: Obj) => r.weight), [20, 80]);
  const dubbo = kinds("dubbo-routing").find((o) => o.kind === "MetaRouter")!;
  assert.ok(
    dubbo.spec.routes[0].requestMutation && dubbo.spec.routes[1].mirror &&
      dubbo.spec.localRateLimit,
  );
  const redis = kinds("redis-routing").find((o) => o.kind === "RedisService")!;
  assert.equal(redis.spec.redis[0].match.key.prefix, "cluster-");
  assert.deepEqual(
    kinds("aeraki-install").filter((o) => o.kind === "CustomResourceDefinition").length,
    5,
  );
});

Deno.test("synth names the construct path when a MetaRouter is invalid", () => {
  const bad = {
    name: "bad",
    build: (scope: Construct) => {
      const chart = ALL_CHARTS[0].build(scope);
      // deno-lint-ignore no-explicit-any
      const router = chart.node.findChild("router") as any;
      router.route("broken").split({ v1: 30, v2: 60 });
      return chart;
    },
  };
  const result = synthChart(bad);
  assert.ok(!result.ok);
  assert.match(
    result.error,
    /\[thrift-split\/router\] Fix the weights of route "broken": they must sum to 100, got 90/,
  );
  assert.match(
    result.error,
    /\[thrift-split\/router\/MetaRouter\] Invalid MetaRouter: spec\.routes\[2\]/,
  );
});
