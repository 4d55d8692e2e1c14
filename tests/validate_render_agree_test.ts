import assert from "node:assert/strict";
import { type Finding, formatFinding } from "../operator/cli/_yaml_source.ts";
import { memoryIo } from "../operator/cli/command.ts";
import { renderCommand } from "../operator/cli/render.ts";
import { validateCommand } from "../operator/cli/validate.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

async function fixtureFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) files.push(...await fixtureFiles(`${path}/`));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

async function validateFindings(path: string): Promise<string[]> {
  const io = memoryIo();
  await validateCommand.run([path], io);
  return io.stdout().trimEnd().split("\n").slice(0, -1).sort();
}

async function renderFindings(path: string): Promise<string[]> {
  const io = memoryIo();
  await renderCommand.run(["--format", "json", path], io);
  const { problems } = JSON.parse(io.stdout()) as { problems: Finding[] };
  return problems.map(formatFinding).sort();
}

Deno.test("validate and render report the same problems for every fixture", async () => {
  const files = await fixtureFiles(FIXTURES);
  assert.ok(files.some((f) => f.endsWith("unknown_protocol.yaml")));
  assert.ok(files.some((f) => f.endsWith("unknown_codec.yaml")));
  for (const file of files) {
    const validated = await validateFindings(file);
    assert.deepEqual(await renderFindings(file), validated, file);
    if (file.includes("/invalid/")) assert.ok(validated.length > 0, `${file} has no problem`);
  }
});

Deno.test("render finds every problem validate finds in all fixtures read together", async () => {
  // Together, the fixtures also have problems between objects (several MetaRouters routing one
  // host) that only generation sees; validate checks each object and the port names.
  const validated = await validateFindings(FIXTURES);
  const rendered = new Set(await renderFindings(FIXTURES));
  for (const line of validated) assert.ok(rendered.has(line), line);
  assert.ok(validated.some((l) => /declares it too/.test(l)), "duplicates across files");
});
