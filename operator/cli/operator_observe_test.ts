// `aeraki operator`'s /metrics and --log-level, run in process against the real kube-apiserver
// of `_tools/kube_env.sh`.
import assert from "node:assert/strict";
import { Effect, Logger } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { parseOperatorConfig } from "../config.ts";
import { KubeClient } from "../kube/mod.ts";
import { memoryIo } from "./command.ts";
import { operatorCommand, runOperator } from "./operator.ts";
import { thriftServiceInputs } from "../../tests/operator_inputs.ts";
import { eventually, freePort } from "../../tests/_operator_process.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG");

/** The value of the sample `series` (name and labels as written) in a Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Runs the operator in process with `flags` until `body` is done; returns its log lines. */
async function withOperator(
  ns: string,
  flags: string[],
  body: (port: number) => Promise<void>,
): Promise<{ level: string; message: string }[]> {
  const port = freePort();
  const parsed = parseOperatorConfig([
    `--kubeconfig=${KUBECONFIG}`,
    `--root-namespace=${ns}`,
    `--watch-namespace=${ns}`,
    `--httpAddr=127.0.0.1:${port}`,
    "--debounce=50ms",
    ...flags,
  ]);
  assert.ok(parsed.ok);
  const logs: { level: string; message: string }[] = [];
  const collect = Logger.make((o) => {
    logs.push({ level: o.logLevel, message: [o.message].flat().map(String).join(" ") });
  });
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const running = Effect.runPromise(
    runOperator(parsed.config, { stop: stopped }).pipe(Effect.provide(Logger.layer([collect]))),
  );
  try {
    await eventually("/healthz", async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.body?.cancel();
      if (res.status !== 200) throw new Error(String(res.status));
    });
    await body(port);
  } finally {
    stop();
    await running;
  }
  return logs;
}

Deno.test("operatorCommand refuses a bad --log-level with exit status 2", async () => {
  const io = memoryIo();
  assert.equal(await operatorCommand.run(["--log-level=all:loud"], io), 2);
  assert.match(io.stderr(), /Set "--log-level" to scope:level pairs .*: got "all:loud"/);
});

Deno.test({
  name:
    "runOperator() serves Prometheus /metrics of its reconciles and writes, and logs at --log-level",
  ...kubeTest,
  async fn() {
    const ns = await runKube(Effect.andThen(installCrds(), freshNamespace("observe")));
    const quiet = await withOperator(ns, ["--log-level=all:warn"], async (port) => {
      await runKube(Effect.gen(function* () {
        const client = yield* KubeClient;
        for (const o of thriftServiceInputs(ns, { vip: "240.240.0.12", endpoint: "10.1.0.7" })) {
          yield* client.apply(o);
        }
      }));
      const text = await eventually("metrics of a reconcile with status writes", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
        const text = await res.text();
        const status = 'aeraki_kube_writes_total{operation="status",result="success"}';
        if (!(sample(text, status)! >= 1)) throw new Error(text);
        return text;
      });
      assert.ok(sample(text, 'aeraki_reconciles_total{result="success"}')! >= 1);
      assert.ok(sample(text, 'aeraki_kube_writes_total{operation="apply",result="success"}')! >= 1);
      assert.ok(sample(text, "aeraki_reconcile_duration_seconds_count")! >= 1);
      assert.equal(sample(text, "aeraki_leader"), 1);
      assert.equal(sample(text, 'aeraki_generate_problems{severity="error"}'), 0);
      assert.match(text, /^# TYPE aeraki_reconcile_duration_seconds histogram$/m);
    });
    assert.deepEqual(quiet.filter((l) => l.level === "Info" || l.level === "Debug"), []);
    const chatty = await withOperator(ns, ["--log-level=all:info"], () => Promise.resolve());
    assert.ok(
      chatty.some((l) =>
        l.level === "Info" && /Serving \/ready, \/healthz and \/metrics/.test(l.message)
      ),
      JSON.stringify(chatty),
    );
  },
});
