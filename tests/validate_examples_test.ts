import assert from "node:assert/strict";
import { memoryIo } from "../operator/cli/command.ts";
import { validateCommand } from "../operator/cli/validate.ts";
import { ALL_CHARTS } from "../examples/main.ts";
import { synthChart } from "../operator/cli/synth_chart.ts";

Deno.test("aeraki validate accepts every synthesized example", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Each chart is applied alone (some are alternatives declaring the same objects).
    for (const chart of ALL_CHARTS) {
      const result = synthChart(chart);
      assert.ok(result.ok);
      const file = `${dir}/${chart.name}.yaml`;
      await Deno.writeTextFile(file, result.yaml);
      const io = memoryIo();
      const code = await validateCommand.run([file], io);
      assert.equal(code, 0, io.stdout() + io.stderr());
      assert.match(io.stdout(), /^valid: \d+ objects? in 1 file, 0 problems/m);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aeraki validate rejects a synthesized example after a bad edit, naming file and field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = synthChart(ALL_CHARTS[0]);
    assert.ok(result.ok);
    await Deno.writeTextFile(
      `${dir}/edited.yaml`,
      result.yaml.replace("weight: 80", "weight: 180"),
    );
    const io = memoryIo();
    assert.equal(await validateCommand.run([dir], io), 1);
    assert.match(
      io.stdout(),
      /edited\.yaml:\d+:\d+: MetaRouter\/meta-thrift\/thrift-sample-server: spec\.routes\[0\]\.route\[1\]\.weight: /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
