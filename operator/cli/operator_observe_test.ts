// `aeraki operator`'s /metrics and --log-level, run in process against the real kube-apiserver
// of `_tools/kube_env.sh`.
import assert from "node:assert/strict";
import { Effect, Logger } from "effect";
import { freshNamespace, installCrds, kubeTest, runKube } from "../../tests/kube_env.ts";
import { parseOperatorConfig } from "../config.ts";
import { KubeClient, type KubeObject } from "../kube/mod.ts";
import { memoryIo } from "./command.ts";
import { operatorCommand, runOperator } from "./operator.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG");

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function inputs(ns: string): KubeObject[] {
  const host = `thrift-sample-server.${ns}.svc.cluster.local`;
  return [{
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { namespace: ns, name: "thrift-sample-server" },
    spec: {
      hosts: [host],
      addresses: ["240.240.0.12"],
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-hello-server", protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
      endpoints: [{ address: "10.1.0.7", labels: { version: "v1" } }],
    },
  }, {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name: "thrift-route" },
    spec: {
      hosts: [host],
      routes: [{ name: "v1", route: [{ destination: { host, subset: "v1" } }] }],
    },
  }];
}

/** Polls `check` every 100 ms for up to 30 s. */
async function eventually<A>(what: string, check: () => Promise<A>): Promise<A> {
  let last: unknown;
  for (let i = 0; i < 300; i++) {
    try {
      return await check();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Timed out waiting for ${what}: ${String(last)}`);
}

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
        for (const o of inputs(ns)) yield* client.apply(o);
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
