/** `deno task synth` (examples/main.ts): example names and chart paths side by side. */
import assert from "node:assert/strict";

const MAIN = new URL("../examples/main.ts", import.meta.url);
const MOD = new URL("../mod.ts", import.meta.url).href;

async function synth(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN.href, ...args],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: result.code, out: dec.decode(result.stdout), err: dec.decode(result.stderr) };
}

Deno.test("deno task synth renders a NAME and a chart file outside the repository together", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aeraki-synth-task-" });
  try {
    await Deno.writeTextFile(
      `${dir}/mine.ts`,
      `import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { MetaRouterBuilder } from "${MOD}";
export function mine(scope: Construct): Chart {
  const chart = new Chart(scope, "mine", { namespace: "demo" });
  new MetaRouterBuilder(chart, "r", { host: "a.demo.svc.cluster.local" }).route("all").to("v1");
  return chart;
}
`,
    );
    const run = await synth([
      "--no-check",
      "--out",
      `${dir}/out`,
      "redis-routing",
      `${dir}/mine.ts`,
    ]);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(
      [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort(),
      ["mine.yaml", "redis-routing.yaml"],
    );
    const unknown = await synth(["--out", `${dir}/out`, "thrift-splt"]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.err,
      /^Cannot synth "thrift-splt": no such chart or file \(charts: thrift-split, /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
