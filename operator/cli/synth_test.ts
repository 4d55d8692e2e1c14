import assert from "node:assert/strict";
import { parse } from "yaml";
import { memoryIo } from "./command.ts";
import { COMMANDS, main } from "./main.ts";
import { synthCommand } from "./synth.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

const chart = (body: string, name = "mesh") =>
  `import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { MetaRouterBuilder } from "${MOD}";

export function ${name}(scope: Construct): Chart {
  const chart = new Chart(scope, "${name}", { namespace: "demo" });
  const router = new MetaRouterBuilder(chart, "router", { host: "svc.demo.svc.cluster.local" });
  ${body}
  return chart;
}
`;

/** A temp folder (outside the repository) holding `files`; removed after `fn`. */
async function withCharts(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aeraki-synth-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("synthCommand renders every chart of a folder outside the repository to --out", async () => {
  await withCharts({
    "charts/a.ts": chart(`router.route("all").to("v1");`, "alpha"),
    "charts/nested/b.ts": chart(`router.route("all").split({ v1: 10, v2: 90 });`, "beta") +
      `export function label(name: string): string { return name; }
export function addRoutes(chart: Chart, _opts: { x?: number } = {}): Chart {
  throw new Error("a helper taking a chart is no chart function: " + chart.node.id);
}
export function untyped(scope: Construct) { return new Chart(scope, "untyped"); }
`,
    "charts/_helpers.ts": `export function broken(_x: unknown): never { throw new Error("no"); }\n`,
    "charts/a_test.ts": `throw new Error("tests are not charts");\n`,
  }, async (dir) => {
    const io = memoryIo();
    const code = await synthCommand.run(["--out", `${dir}/out`, `${dir}/charts`], io);
    assert.equal(code, 0, io.stderr());
    assert.match(io.stdout(), /✓ alpha +1 objects → .*\/out\/alpha\.yaml/);
    assert.doesNotMatch(io.stdout(), /untyped/);
    const beta = parse(await Deno.readTextFile(`${dir}/out/beta.yaml`));
    assert.deepEqual(beta.spec.routes[0].route.map((r: { weight: number }) => r.weight), [10, 90]);
    assert.equal(io.stderr(), "");
  });
});

Deno.test("synthCommand type-checks first and shows Deno's own diagnostics", async () => {
  await withCharts({
    "typo.ts": chart(`router.route("a").whenExcat("method", "x").to("v1");`),
    "string_weight.ts": chart(`router.route("a").split({ v1: 30, v2: "70" });`, "other"),
  }, async (dir) => {
    const io = memoryIo();
    assert.equal(await synthCommand.run(["--out", `${dir}/out`, dir], io), 1);
    const err = io.stderr();
    assert.match(err, /Property 'whenExcat' does not exist .*Did you mean 'whenExact'\?/);
    assert.match(err, /Type 'string' is not assignable to type 'number'/);
    assert.match(err, /Fix the type errors above: no chart was run/);
    assert.equal(io.stdout(), "");
  });
});

Deno.test("synthCommand names file, function, construct and field of each problem, once", async () => {
  await withCharts({
    "mesh.ts": chart(`router.route("canary").split({ v1: 60, v2: 50 });`),
  }, async (dir) => {
    const io = memoryIo();
    assert.equal(await synthCommand.run(["--out", `${dir}/out`, `${dir}/mesh.ts`], io), 1);
    const lines = io.stderr().trimEnd().split("\n");
    assert.equal(lines.length, 2, io.stderr());
    assert.equal(lines[0], "✗ mesh:");
    assert.match(
      lines[1],
      /^ {2}\S*mesh\.ts: mesh: mesh\/router: Invalid MetaRouter: spec\.routes\[0\] \(route "canary"\)\.route: Make the weights add up to 100: they add up to 110 \(60 \+ 50\)$/,
    );
  });
});

Deno.test("synthCommand warns about unreachable routes without failing", async () => {
  await withCharts({
    "mesh.ts": chart(`router.route("all").to("v1");
  router.route("late").whenExact("method", "x").to("v2");`),
  }, async (dir) => {
    const io = memoryIo();
    assert.equal(await synthCommand.run(["--no-check", "--out", `${dir}/out`, dir], io), 0);
    assert.match(
      io.stderr(),
      /mesh\.ts: mesh: mesh\/router\/MetaRouter: warning: MetaRouter: spec\.routes\[1\]: Move or remove route "late"/,
    );
  });
});

Deno.test("synthCommand refuses two charts writing one file, a missing path and no chart", async () => {
  await withCharts({
    "a.ts": chart(`router.route("all").to("v1");`),
    "b.ts": chart(`router.route("all").to("v2");`),
    "none.ts": `export const x = 1;\n`,
  }, async (dir) => {
    const twice = memoryIo();
    assert.equal(
      await synthCommand.run(["--out", `${dir}/out`, `${dir}/a.ts`, `${dir}/b.ts`], twice),
      1,
    );
    assert.match(
      twice.stderr(),
      /b\.ts: mesh: Rename the chart: ".*a\.ts: mesh" writes ".*mesh\.yaml" too/,
    );
    const missing = memoryIo();
    assert.equal(await synthCommand.run([`${dir}/nope.ts`], missing), 1);
    assert.match(missing.stderr(), /Cannot read ".*nope\.ts": /);
    const none = memoryIo();
    assert.equal(await synthCommand.run(["--out", `${dir}/out`, `${dir}/none.ts`], none), 1);
    assert.match(none.stderr(), /Export a chart function from ".*none\.ts"/);
  });
});

Deno.test("every aeraki command answers --help with its usage", async () => {
  for (const name of [...Object.keys(COMMANDS), "help"]) {
    const io = memoryIo();
    assert.equal(await main([name, "--help"], io), 0, `${name}: ${io.stderr()}`);
    assert.match(io.stdout(), /^Usage: deno task aeraki/, name);
  }
  const io = memoryIo();
  assert.equal(await main(["synth"], io), 2);
  assert.match(io.stderr(), /Give a chart file or folder/);
});

Deno.test("synthCommand reports a misspelled protocol in a port name with the construct and field", async () => {
  const service = (protocol: string, extra = "") =>
    `import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { ApplicationProtocol, MetaProtocolService } from "${MOD}";
export function svc(scope: Construct): Chart {
  const chart = new Chart(scope, "svc-${protocol}", { namespace: "demo" });
  new MetaProtocolService(chart, "s", { protocol: "${protocol}", port: 20880, versions: [{ name: "v1", image: "a:1" }] });
  ${extra}
  return chart;
}
`;
  await withCharts({
    "dubo.ts": service("dubo"),
    "custom.ts": service(
      "kv",
      `new ApplicationProtocol(chart, "kv", { metadata: { name: "kv" }, spec: { protocol: "kv", codec: "aeraki.meta_protocol.codec.thrift" } });`,
    ),
  }, async (dir) => {
    const io = memoryIo();
    assert.equal(await synthCommand.run(["--no-check", "--out", `${dir}/out`, dir], io), 1);
    const lines = io.stderr().trimEnd().split("\n");
    assert.equal(lines.length, 2, io.stderr());
    assert.equal(lines[0], "✗ svc-dubo:");
    assert.match(
      lines[1],
      /dubo\.ts: svc: svc-dubo\/s\/Service: Service: spec\.ports\[0\]\.name: .*"dubo".*did you mean "dubbo"/,
    );
    assert.match(io.stdout(), /✓ svc-kv /);
  });
});
