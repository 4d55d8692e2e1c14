import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
import { defaultLibrary, initCommand } from "./init.ts";

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aeraki-init-unit-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("initCommand links this checkout and pins cdk8s and constructs to its versions", async () => {
  await inTemp(async (dir) => {
    const io = memoryIo();
    assert.equal(await initCommand.run([`${dir}/mesh`], io), 0, io.stderr());
    const config = JSON.parse(await Deno.readTextFile(`${dir}/mesh/deno.json`));
    const lib = JSON.parse(await Deno.readTextFile(`${defaultLibrary()}/deno.json`));
    assert.deepEqual(config.links, [defaultLibrary()]);
    assert.deepEqual(config.imports, {
      "@aeraki/deno": `jsr:@aeraki/deno@${lib.version}`,
      cdk8s: lib.imports.cdk8s,
      constructs: lib.imports.constructs,
    });
    for (const task of ["synth", "validate", "render", "test", "aeraki"]) {
      assert.ok(config.tasks[task].description, task);
      assert.ok(config.tasks[task].command, task);
    }
  });
});

Deno.test("initCommand --lib names another checkout, and refuses a folder that is none", async () => {
  await inTemp(async (dir) => {
    await Deno.mkdir(`${dir}/lib`);
    await Deno.writeTextFile(
      `${dir}/lib/deno.json`,
      JSON.stringify({ name: "@aeraki/deno", version: "9.9.9", imports: { cdk8s: "npm:cdk8s@1" } }),
    );
    const io = memoryIo();
    assert.equal(await initCommand.run(["--lib", `${dir}/lib`, `${dir}/p`], io), 0, io.stderr());
    const config = JSON.parse(await Deno.readTextFile(`${dir}/p/deno.json`));
    assert.deepEqual(config.links, [`${dir}/lib`]);
    assert.equal(config.imports["@aeraki/deno"], "jsr:@aeraki/deno@9.9.9");
    assert.match(
      config.tasks.synth.command,
      new RegExp(`'${dir}/lib/operator/cli/main\\.ts' synth`),
    );

    const bad = memoryIo();
    assert.equal(await initCommand.run(["--lib", `${dir}/p/charts`, `${dir}/q`], bad), 1);
    assert.match(
      bad.stderr(),
      /^Cannot use ".*\/p\/charts" as the library: reading its deno\.json failed: /,
    );
    const usage = memoryIo();
    assert.equal(await initCommand.run([], usage), 2);
    assert.match(usage.stderr(), /Give exactly one folder for the project: got 0/);
  });
});
