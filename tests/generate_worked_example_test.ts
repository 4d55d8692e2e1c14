/**
 * Control-plane spec §4 (the metaprotocol-thrift demo: outbound and inbound EnvoyFilters) and
 * §5 (the 20/80 route configuration served over RDS), field for field, as golden YAML.
 */
import assert from "node:assert/strict";
import { type DestinationRule, serviceToServiceEntry } from "../api/mod.ts";
import { toYaml } from "../operator/cli/render_format.ts";
import { buildMesh, EMPTY_SNAPSHOT, type MeshSnapshot } from "../operator/generate/mod.ts";
import { destinationRule, E2E_MESH, metaRouter, splitRoute } from "./generate_fixtures.ts";
import { assertGolden } from "./golden.ts";
import { assertValidOutput } from "./generate_validate.ts";

const HOST = "thrift-sample-server.meta-thrift.svc.cluster.local";

function demo(): MeshSnapshot {
  const se = serviceToServiceEntry({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "thrift-sample-server", namespace: "meta-thrift" },
    spec: {
      clusterIP: "10.96.10.20",
      selector: { app: "thrift-sample-server" },
      ports: [{ name: "tcp-metaprotocol-thrift-hello-server", port: 9090, targetPort: 9090 }],
    },
  });
  return { ...EMPTY_SNAPSHOT, serviceEntries: [se], meshConfig: E2E_MESH };
}

Deno.test("buildMesh() reproduces the outbound and inbound EnvoyFilters of spec §4", async () => {
  const out = buildMesh(demo());
  assert.deepEqual(out.problems, []);
  assert.deepEqual(out.envoyFilters.map((f) => f.metadata.name), [
    `aeraki-inbound-${HOST}-9090`,
    `aeraki-outbound-${HOST}-10.96.10.20-9090`,
  ]);
  const [inbound, outbound] = out.envoyFilters;
  await assertGolden("generate/worked_example.yaml", `${toYaml(outbound)}---\n${toYaml(inbound)}`);
  assertValidOutput(out);
});

/** The rule without its consistent-hash policy, as in the §5 example. */
function plainSubsets(rule: DestinationRule): DestinationRule {
  const subsets = (rule.spec.subsets ?? []).map(({ name, labels }) => ({ name, labels }));
  return { ...rule, spec: { ...rule.spec, subsets } };
}

Deno.test("buildMesh() serves the 20/80 route configuration of spec §5", async () => {
  const snapshot = {
    ...demo(),
    destinationRules: [plainSubsets(destinationRule(HOST, "meta-thrift"))],
    metaRouters: [
      metaRouter(HOST, "meta-thrift", [splitRoute(HOST)], {}, "test-metaprotocol-thrift-route"),
    ],
  };
  const out = buildMesh(snapshot);
  assert.deepEqual(out.problems, []);
  assert.equal(out.routeConfigurations.length, 1);
  await assertGolden("generate/route_20_80.yaml", toYaml(out.routeConfigurations[0]));
  assertValidOutput(out);
});
