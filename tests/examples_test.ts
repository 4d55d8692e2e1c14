import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import type { Construct } from "constructs";
import {
  DestinationRule,
  EnvoyFilter,
  Gateway,
  ServiceEntry,
  VirtualService,
} from "../constructs/_istio_models.ts";
import { decodeObject } from "../api/mod.ts";
import { AERAKI_CRDS, buildCrd } from "../constructs/mod.ts";
import { ALL_CHARTS } from "../examples/main.ts";
import { formatSynthProblem, synthChart } from "../operator/cli/synth_chart.ts";
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
    assert.ok(result.ok, result.ok ? "" : result.problems.map(formatSynthProblem).join("\n"));
    assert.deepEqual(result.warnings, []);
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

Deno.test("synth reports each mistake once, naming the construct path and the field", () => {
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
  assert.deepEqual(result.problems.map(formatSynthProblem), [
    'thrift-split/router: Invalid MetaRouter: spec.routes[2] (route "broken").route: ' +
    "Make the weights add up to 100: they add up to 90 (30 + 60)",
  ]);
});

Deno.test("synth warns about a route that can never match, naming construct and field", () => {
  const result = synthChart({
    build: (scope: Construct) => {
      const chart = ALL_CHARTS[0].build(scope);
      // deno-lint-ignore no-explicit-any
      (chart.node.findChild("router") as any).route("late").whenExact("method", "x").to("v2");
      return chart;
    },
  });
  assert.ok(result.ok);
  assert.equal(result.name, "thrift-split");
  assert.deepEqual(result.warnings.map(formatSynthProblem), [
    "thrift-split/router/MetaRouter: warning: MetaRouter: spec.routes[2]: " +
    'Move or remove route "late": it follows the catch-all route at spec.routes[1] and can never match',
  ]);
});

Deno.test("synth reports a chart function that throws or returns no chart", () => {
  const threw = synthChart({
    name: "x",
    build: () => {
      throw new TypeError("router.whenExcat is not a function");
    },
  });
  assert.ok(!threw.ok);
  assert.deepEqual(threw.problems.map(formatSynthProblem), [
    "Fix the chart function: it threw TypeError: router.whenExcat is not a function",
  ]);
  const none = synthChart({ name: "y", build: () => undefined as never });
  assert.ok(!none.ok);
  assert.match(formatSynthProblem(none.problems[0]), /^Return the Chart from the chart function/);
});
