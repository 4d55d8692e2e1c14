import assert from "node:assert/strict";
import { Testing } from "cdk8s";
import { ServiceEntry } from "./istio.ts";
import { StaticMeshFilters } from "./static_mesh.ts";
import { assertValidOutput } from "../tests/generate_validate.ts";
import type { GeneratedObject } from "../operator/generate/mod.ts";

const HOST = "thrift-sample-server.meta-thrift.svc.cluster.local";
const ROUTER = {
  apiVersion: "metaprotocol.aeraki.io/v1alpha1",
  kind: "MetaRouter",
  metadata: { name: "split", namespace: "meta-thrift" },
  spec: {
    hosts: [HOST],
    routes: [{
      name: "v1",
      route: [{ destination: { host: HOST, subset: "v1" } }],
    }],
  },
};

function chartWithService() {
  const chart = Testing.chart();
  new ServiceEntry(chart, "se", {
    metadata: { name: "thrift-sample-server", namespace: "meta-thrift" },
    spec: {
      hosts: [HOST],
      addresses: ["10.96.10.20"],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift", protocol: "TCP" }],
      workloadSelector: { labels: { app: "thrift-sample-server" } },
      resolution: "STATIC",
    },
  });
  return chart;
}

Deno.test("StaticMeshFilters synthesizes EnvoyFilters with the routes inline", () => {
  const chart = chartWithService();
  const mesh = new StaticMeshFilters(chart, "mesh", { inputs: [chart, ROUTER] });
  assert.deepEqual(mesh.problems, []);
  assert.deepEqual(mesh.node.validate(), []);
  assert.deepEqual(mesh.envoyFilters.flatMap((ef) => ef.node.validate()), []);
  const objects = Testing.synth(chart).filter((o) => o.kind === "EnvoyFilter");
  assert.deepEqual(objects.map((o) => o.metadata.name), [
    `aeraki-inbound-${HOST}-9090`,
    `aeraki-outbound-${HOST}-10.96.10.20-9090`,
  ]);
  const outbound = objects[1].spec.configPatches[0].patch.value.typed_config.value;
  assert.equal(outbound.rds, undefined);
  assert.deepEqual(outbound.routeConfig, {
    name: `${HOST}_9090`,
    routes: [{ name: "v1", match: {}, route: { cluster: `outbound|9090|v1|${HOST}` } }],
  });
  assertValidOutput({
    envoyFilters: objects as GeneratedObject[],
    virtualServices: [],
    routeConfigurations: [],
    problems: [],
  });
});

Deno.test("StaticMeshFilters fails validation on a generation problem unless told not to", () => {
  const chart = chartWithService();
  const bad = { ...ROUTER, spec: { ...ROUTER.spec, routes: [] } };
  const strict = new StaticMeshFilters(chart, "mesh", { inputs: [chart, bad] });
  assert.deepEqual(strict.node.validate(), [
    "MetaRouter/meta-thrift/split spec: Add routes, a localRateLimit or a globalRateLimit: the MetaRouter does nothing",
  ]);
  const quiet = chartWithService();
  const lenient = new StaticMeshFilters(quiet, "mesh", {
    inputs: [quiet, bad],
    failOnProblems: false,
  });
  assert.deepEqual(lenient.node.validate(), []);
  assert.equal(lenient.problems.length, 1);
});
