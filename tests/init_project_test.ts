/**
 * `aeraki init` end to end, as a new user runs it: a project in a fresh folder outside the
 * repository, its own `deno task synth` and `deno task test`, an edit, a mistake, a re-synth.
 * The README's chart snippet is the chart `init` writes, so this tests the snippet where the
 * README tells users to put it.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { memoryIo } from "../operator/cli/command.ts";
import { initCommand } from "../operator/cli/init.ts";
import { EXAMPLE_CHART } from "../operator/cli/_init_templates.ts";

async function task(dir: string, name: string): Promise<{ code: number; out: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", name],
    cwd: dir,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: result.code, out: dec.decode(result.stdout) + dec.decode(result.stderr) };
}

// deno-lint-ignore no-explicit-any
async function routerOf(dir: string): Promise<any> {
  const docs = parseAllDocuments(await Deno.readTextFile(`${dir}/dist/thrift-split.yaml`));
  for (const d of docs) assert.deepEqual(d.errors, []);
  return docs.map((d) => d.toJS()).find((o) => o.kind === "MetaRouter");
}

Deno.test("the README's chart snippet is the chart aeraki init writes", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Mesh config as TypeScript"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.equal(snippet, EXAMPLE_CHART);
});

Deno.test("aeraki init writes a project whose synth, test and validate work as written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aeraki-init-" });
  try {
    const io = memoryIo();
    assert.equal(await initCommand.run([dir], io), 0, io.stderr());
    const again = memoryIo();
    assert.equal(await initCommand.run([dir], again), 1);
    assert.match(again.stderr(), /Choose another folder: ".*" already has "deno\.json"/);

    let run = await task(dir, "synth");
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /✓ thrift-split +5 objects → dist\/thrift-split\.yaml/);
    const weights = async () =>
      (await routerOf(dir)).spec.routes[0].route.map((r: { weight: number }) => r.weight);
    assert.deepEqual(await weights(), [20, 80]);
    run = await task(dir, "test");
    assert.equal(run.code, 0, run.out);
    run = await task(dir, "validate");
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /valid: 3 objects in 1 file, 0 problems/);
    run = await task(dir, "render");
    assert.equal(run.code, 0, run.out);
    assert.match(
      run.out,
      /# Route configuration thrift-sample-server\.meta-thrift\.svc\.cluster\.local_9090/,
    );

    const chart = `${dir}/charts/mesh.ts`;
    const original = await Deno.readTextFile(chart);
    await Deno.writeTextFile(chart, original.replace("{ v1: 20, v2: 80 }", "{ v1: 50, v2: 50 }"));
    run = await task(dir, "synth");
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(await weights(), [50, 50]);

    await Deno.writeTextFile(chart, original.replace("whenExact", "whenExcat"));
    run = await task(dir, "synth");
    assert.notEqual(run.code, 0);
    assert.match(run.out, /Property 'whenExcat' does not exist .* Did you mean 'whenExact'\?/);
    assert.match(run.out, /at file:\/\/.*\/charts\/mesh\.ts:\d+:\d+/);

    await Deno.writeTextFile(chart, original.replace("{ v1: 20, v2: 80 }", "{ v1: 30, v2: 60 }"));
    run = await task(dir, "synth");
    assert.notEqual(run.code, 0);
    assert.match(
      run.out,
      /charts\/mesh\.ts: thriftSplit: thrift-split\/router: Invalid MetaRouter: spec\.routes\[0\] \(route "traffic-split"\)\.route: Make the weights add up to 100: they add up to 90 \(30 \+ 60\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
