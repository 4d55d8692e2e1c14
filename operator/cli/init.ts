/**
 * `aeraki init DIR`: writes a starter project for mesh config as TypeScript — `deno.json`
 * (tasks `synth`, `validate`, `render`, `test`, `aeraki`, and the import of this library), one
 * example chart and a test that synthesizes it — that works as written.
 *
 * How the project imports the library without JSR or a network: its `deno.json` lists this
 * checkout under `links`, Deno's way to use a local copy of a package, and imports it as
 * `jsr:@aeraki/deno@<version>` under the name `@aeraki/deno`. Deno then resolves that package
 * from the folder, never from JSR, and resolves the library's own imports with the library's
 * own import map — so the project needs only the packages it imports itself (`cdk8s`,
 * `constructs`, pinned to the library's versions so both share one copy). A plain import-map
 * entry pointing at `mod.ts` would instead make the project repeat every import of the
 * library. `--lib PATH` names another checkout.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import type { Command, CommandIo } from "./command.ts";
import { projectFiles } from "./_init_templates.ts";

const USAGE = `Usage: deno task aeraki init [--lib PATH] DIR

Writes a starter project to DIR (created if missing; it must not hold the project's files yet):

  deno.json            tasks synth, validate, render, test and aeraki, and the import
                       "@aeraki/deno" of this library (a link to its checkout)
  charts/mesh.ts       an example chart: a Thrift service with a 20/80 split
  charts/mesh_test.ts  a test that synthesizes it
  .gitignore

Then, in DIR: deno task synth (renders charts/ to dist/), deno task validate, deno task test.

Options:
  --lib PATH   the checkout of this library to link (default: the one running this command)
  -h, --help   show this help
`;

/** The checkout this module runs from. */
export function defaultLibrary(): string {
  return fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
}

interface LibraryInfo {
  readonly root: string;
  readonly name: string;
  readonly version: string;
  readonly imports: Readonly<Record<string, string>>;
}

async function readLibrary(root: string): Promise<LibraryInfo | string> {
  let config: { name?: unknown; version?: unknown; imports?: Record<string, string> };
  try {
    config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  } catch (e) {
    return `Cannot use "${root}" as the library: reading its deno.json failed: ${
      e instanceof Error ? e.message : e
    }`;
  }
  if (typeof config.name !== "string" || typeof config.version !== "string") {
    return `Cannot use "${root}" as the library: its deno.json has no "name" and "version"`;
  }
  return { root, name: config.name, version: config.version, imports: config.imports ?? {} };
}

async function isTaken(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function init(dir: string, lib: string, io: CommandIo): Promise<number> {
  const library = await readLibrary(resolve(lib));
  if (typeof library === "string") {
    io.err(library + "\n");
    return 1;
  }
  const files = projectFiles(library);
  const taken = [];
  for (const name of Object.keys(files)) {
    if (await isTaken(`${dir}/${name}`)) taken.push(name);
  }
  if (taken.length) {
    io.err(
      `Choose another folder: "${dir}" already has ${taken.map((t) => `"${t}"`).join(", ")}\n`,
    );
    return 1;
  }
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
    io.out(`wrote ${path}\n`);
  }
  io.out(`\nNext: cd ${dir} && deno task synth\n`);
  return 0;
}

/** `aeraki init`. */
export const initCommand: Command = {
  name: "init",
  summary: "Write a starter project: deno.json with synth/validate/render tasks, a chart, a test",
  usage: USAGE,
  async run(args, io) {
    let lib = defaultLibrary();
    const dirs: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === "-h" || a === "--help") {
        io.out(USAGE);
        return 0;
      }
      if (a === "--lib" && args[i + 1] !== undefined) lib = args[++i];
      else if (a.startsWith("--lib=")) lib = a.slice(6);
      else if (a.startsWith("-")) {
        io.err(`Remove the unknown option "${a}"\n\n${USAGE}`);
        return 2;
      } else dirs.push(a);
    }
    if (dirs.length !== 1) {
      io.err(`Give exactly one folder for the project: got ${dirs.length}\n\n${USAGE}`);
      return 2;
    }
    return await init(resolve(dirs[0]), lib, io);
  },
};
