/**
 * The files `aeraki init` writes. The chart is the README's example, word for word (a test
 * holds them equal), so the README's snippet is tested where it tells users to put it.
 *
 * @module
 */

/** What the templates need to know of the library. */
export interface TemplateLibrary {
  /** Absolute path of the library checkout. */
  readonly root: string;
  /** Its JSR-style package name, e.g. `@aeraki/deno`. */
  readonly name: string;
  readonly version: string;
  /** Its import map (the project pins `cdk8s` and `constructs` to the same versions). */
  readonly imports: Readonly<Record<string, string>>;
}

/** The example chart: the README's snippet (see the README, "Mesh config as TypeScript"). */
export const EXAMPLE_CHART = `import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { MetaProtocolService, MetaRouterBuilder } from "@aeraki/deno";

export function thriftSplit(scope: Construct): Chart {
  const chart = new Chart(scope, "thrift-split", { namespace: "meta-thrift" });
  // Service port "tcp-metaprotocol-thrift-hello-server", a Deployment per version,
  // and a DestinationRule with subsets v1 and v2.
  const server = new MetaProtocolService(chart, "thrift-sample-server", {
    protocol: "thrift",
    port: 9090,
    portNameSuffix: "hello-server",
    versions: [
      { name: "v1", image: "aeraki/thrift-sample-server:1.0" },
      { name: "v2", image: "aeraki/thrift-sample-server:1.0" },
    ],
  });
  const router = new MetaRouterBuilder(chart, "router", {
    host: server.host,
    destinationRule: server.destinationRule, // subsets used below must exist in it
  });
  router.route("traffic-split").whenExact("method", "sayHello").split({ v1: 20, v2: 80 });
  router.route("default").to("v1");
  return chart;
}
`;

const EXAMPLE_TEST = `import assert from "node:assert/strict";
import { Testing } from "cdk8s";
import { thriftSplit } from "./mesh.ts";

Deno.test("thriftSplit() sends 20% of sayHello calls to v1 and 80% to v2", () => {
  const objects = thriftSplit(Testing.app()).toJson();
  const router = objects.find((o) => o.kind === "MetaRouter");
  assert.deepEqual(
    router.spec.routes[0].route.map((r: { weight: number }) => r.weight),
    [20, 80],
  );
});
`;

function quoteArg(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}

/** Every file of a new project, by path relative to its folder. */
export function projectFiles(lib: TemplateLibrary): Record<string, string> {
  const aeraki = `deno run --allow-all ${quoteArg(`${lib.root}/operator/cli/main.ts`)}`;
  const task = (description: string, command: string) => ({ description, command });
  const config = {
    links: [lib.root],
    imports: {
      [lib.name]: `jsr:${lib.name}@${lib.version}`,
      cdk8s: lib.imports.cdk8s,
      constructs: lib.imports.constructs,
    },
    tasks: {
      synth: task(
        "Type-check and render charts/ to dist/*.yaml (checked like the admission webhook)",
        `${aeraki} synth --out dist charts/`,
      ),
      validate: task(
        "Check the rendered YAML in dist/ as the admission webhook would",
        `${aeraki} validate dist/`,
      ),
      render: task(
        "Print the EnvoyFilters and routes Aeraki would generate from dist/",
        `${aeraki} render dist/`,
      ),
      test: task("Run the chart tests", "deno test --allow-all"),
      aeraki: task("The aeraki command line (help lists its commands)", aeraki),
    },
  };
  return {
    "deno.json": JSON.stringify(config, null, 2) + "\n",
    "charts/mesh.ts": EXAMPLE_CHART,
    "charts/mesh_test.ts": EXAMPLE_TEST,
    ".gitignore": "dist/\nnode_modules/\n",
  };
}
