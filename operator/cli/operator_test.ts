// `aeraki operator` as a real process against the real kube-apiserver of `_tools/kube_env.sh`.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { ENVOY_FILTER, KubeClient } from "../kube/mod.ts";
import { memoryIo } from "./command.ts";
import { operatorCommand } from "./operator.ts";
import { renderObjects } from "./render.ts";
import { fixtureMetaRouters, reviewOf } from "../webhook/_fixtures_testing.ts";
import { thriftServiceInputs } from "../../tests/operator_inputs.ts";
import { eventually, freePort } from "../../tests/_operator_process.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG");

Deno.test("operatorCommand --help prints every flag and exits 0", async () => {
  const io = memoryIo();
  assert.equal(await operatorCommand.run(["--help"], io), 0);
  assert.match(io.stdout(), /--root-namespace/);
  assert.match(io.stdout(), /--httpAddr/);
});

Deno.test("operatorCommand refuses an unknown flag with exit status 2", async () => {
  const io = memoryIo();
  assert.equal(await operatorCommand.run(["--no-such-flag"], io), 2);
  assert.match(io.stderr(), /Remove the unknown flag "--no-such-flag"/);
});

Deno.test({
  name:
    "aeraki operator writes the EnvoyFilters aeraki render prints, serves the webhook, turns ready, and exits 0 on SIGTERM",
  ...kubeTest,
  async fn() {
    const ns = await runKube(Effect.andThen(installCrds(), freshNamespace("opcmd")));
    const port = freePort();
    const webhookPort = freePort();
    const certDir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./main.ts", import.meta.url).pathname,
        "operator",
        `--kubeconfig=${KUBECONFIG}`,
        `--root-namespace=${ns}`,
        // Parallel tests share the API server: a cluster-wide operator would prune their
        // EnvoyFilters and write status on their MetaRouters.
        `--watch-namespace=${ns}`,
        `--httpAddr=127.0.0.1:${port}`,
        "--debounce=50ms",
        `--httpsAddr=127.0.0.1:${webhookPort}`,
        `--webhook-cert-dir=${certDir}/certs`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    try {
      const objects = thriftServiceInputs(ns, { vip: "240.240.0.11", endpoint: "10.1.0.6" });
      const expected = renderObjects(objects, { rootNamespace: ns }).output.envoyFilters
        .map((o) => o.metadata.name).sort();
      assert.ok(expected.length > 0, "render printed no EnvoyFilter for the fixture");
      await runKube(Effect.gen(function* () {
        const client = yield* KubeClient;
        for (const o of objects) yield* client.apply(o);
      }));
      await eventually("the operator's EnvoyFilters", () =>
        runKube(Effect.gen(function* () {
          const client = yield* KubeClient;
          const list = yield* client.list(ENVOY_FILTER, {
            namespace: ns,
            labelSelector: "manager=Aeraki",
          });
          const names = list.items.map((o) => o.metadata.name).sort();
          if (!expected.every((n) => names.includes(n))) {
            return yield* Effect.fail(`stored ${JSON.stringify(names)}`);
          }
        })));
      const ready = await eventually("/ready", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/ready`);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${res.status} ${text}`);
        return text;
      });
      assert.equal(ready, "ready\n");
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      await health.body?.cancel();
      // The webhook serves the certificates it minted into the folder and refuses a bad
      // MetaRouter.
      const caCert = await Deno.readTextFile(`${certDir}/certs/ca.crt`);
      const [bad] = fixtureMetaRouters("invalid/metarouter_webhook.yaml");
      const client = Deno.createHttpClient({ caCerts: [caCert] });
      try {
        const res = await fetch(`https://localhost:${webhookPort}/validate`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(reviewOf(bad.object, "CREATE", "u-1")),
          client,
        });
        const body = await res.json();
        assert.equal(body.response.uid, "u-1");
        assert.equal(body.response.allowed, false);
      } finally {
        client.close();
      }
    } finally {
      child.kill("SIGTERM");
    }
    const status = await child.status;
    const [out, err] = await output;
    assert.equal(status.code, 0, err);
    assert.match(out + err, /Stopping on SIGTERM/);
    // The health port is closed once the process has exited.
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    await Deno.remove(certDir, { recursive: true });
  },
});
