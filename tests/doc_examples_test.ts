import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const SKIP = new Set(["node_modules", "dist", ".git", "gen", "imports"]);

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || SKIP.has(entry.name)) continue;
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) out.push(...await sourceFiles(`${path}/`));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The code of every `@example` block of a file's JSDoc, with its line. */
function examples(text: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const block = /@example[^\n]*\n(?:\s*\*[^\n]*\n)*?\s*\*\s*```[a-z]*\n([\s\S]*?)\n\s*\*\s*```/g;
  for (const m of text.matchAll(block)) {
    found.push({ line: text.slice(0, m.index).split("\n").length, code: m[1] });
  }
  return found;
}

Deno.test("every @example asserts with node:assert", async () => {
  const offenders: string[] = [];
  let count = 0;
  for (const file of await sourceFiles(ROOT)) {
    for (const { line, code } of examples(await Deno.readTextFile(file))) {
      count++;
      const where = `${file.slice(ROOT.length)}:${line}`;
      if (!code.includes('from "node:assert')) offenders.push(`${where}: no node:assert import`);
      else if (!/\bassert(\.\w+)?\(/.test(code)) offenders.push(`${where}: asserts nothing`);
      if (code.includes("console.assert")) offenders.push(`${where}: console.assert`);
      if (/\/\/ *(=>|→)|; \/\/ ["\[{0-9]/.test(code)) {
        offenders.push(`${where}: result in a comment`);
      }
    }
  }
  assert.ok(count > 30, `found only ${count} examples`);
  assert.deepEqual(offenders, []);
});
