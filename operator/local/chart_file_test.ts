import assert from "node:assert/strict";
import { FileSource } from "./file_source.ts";
import { isChartFile } from "./chart_file.ts";

const CHART = (weight: number) =>
  `import { Chart, ApiObject } from "cdk8s";
export default (scope) => {
  const chart = new Chart(scope, "c", { namespace: "demo", disableResourceNameHashes: true });
  new ApiObject(chart, "r", {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name: "hello" },
    spec: { hosts: ["hello.demo.local"], routes: [{ name: "r", route: [
      { destination: { host: "hello.demo.local", subset: "v1" }, weight: ${weight} },
      { destination: { host: "hello.demo.local", subset: "v2" }, weight: ${100 - weight} },
    ] }] },
  });
  return chart;
};
`;

Deno.test("isChartFile() takes .ts files but not tests, helpers or declarations", () => {
  assert.deepEqual(
    ["mesh.ts", "a/_helper.ts", "x_test.ts", "t.d.ts", "m.yaml"].map(isChartFile),
    [true, false, false, false, false],
  );
});

Deno.test("FileSource.read() renders a TypeScript chart again after an edit", async () => {
  const dir = await Deno.makeTempDir({ dir: Deno.cwd(), prefix: ".aeraki-chart-" });
  try {
    await Deno.writeTextFile(`${dir}/mesh.ts`, CHART(30));
    const source = new FileSource(dir);
    const first = await source.read();
    assert.deepEqual(first.files[0].problems, []);
    assert.equal(first.origins.get("MetaRouter/demo/hello"), `${dir}/mesh.ts:1`);
    const weight = (r: typeof first) =>
      (r.files[0].objects[0].object as { spec: { routes: { route: { weight: number }[] }[] } })
        .spec.routes[0].route[0].weight;
    assert.equal(weight(first), 30);
    await Deno.writeTextFile(`${dir}/mesh.ts`, CHART(80));
    assert.equal(weight(await source.read()), 80);
    await Deno.writeTextFile(`${dir}/mesh.ts`, "export default 3;\n");
    assert.match(
      (await source.read()).files[0].problems[0],
      /: Export a chart builder as the default export/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
