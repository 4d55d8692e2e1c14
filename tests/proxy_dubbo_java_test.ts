/**
 * Real Apache Dubbo applications through `aeraki proxy -c`: the Java consumer of
 * `tests/peers/dubbo` (Dubbo 3.x, dubbo protocol, hessian2) calls two Java providers (v1, v2)
 * through a bootstrap that splits `sayHello` by weight, routes on `interface`, `method` and
 * an attachment, and mutates requests and responses. CI builds the peers with Maven
 * (`_tools/install_dubbo_peer.sh`); where they cannot be built these tests are reported as
 * ignored, never passed. The JVMs start once for the whole file.
 */
import assert from "node:assert/strict";
import {
  type ConsumerCall,
  type ConsumerRun,
  dubboApp,
  type JavaProvider,
  runJavaConsumer,
  startJavaProvider,
} from "./dubbo_java_app.ts";
import { greetingBootstrap, serveBootstrap, type ServedProxy } from "./_dubbo_java_proxy.ts";

const app = await dubboApp();
const missing = "missing" in app ? app.missing : undefined;
if (missing) console.warn(`Java Dubbo application tests ignored: ${missing}`);

const HELLO_CALLS = 60;

/** One consumer run through the multiplexed listener, every behaviour in one JVM. */
const STEPS = [
  {
    method: "sayHello",
    args: ["ada"],
    calls: HELLO_CALLS,
    threads: 4,
    attachments: { who: "ada" },
  },
  { method: "greet", args: [{ name: "Ada", age: 36, tags: ["math", "engines"] }] },
  { method: "fail", args: ["boom"], attachments: { target: "v1" }, expectError: true },
  { method: "fail", args: ["lost"], expectError: true },
  { method: "record", args: ["e1"], calls: 3, attachments: { target: "v2" } },
  // The pause leaves the connection idle for many heartbeat intervals.
  { method: "recorded", attachments: { target: "v2" }, pauseMs: 1500 },
  { method: "echo", attachments: { target: "v1", "x-trace": "t-1" } },
] as const;

function step(calls: ConsumerCall[], index: number): ConsumerCall[] {
  return calls.filter((c) => c.step === index);
}

function failures(run: ConsumerRun): string {
  return `exit ${run.code}: ${JSON.stringify(run.calls.filter((c) => !c.ok))}\n` +
    run.stderr.split("\n").filter((l) => /WARN|ERROR|Exception/.test(l)).slice(-20).join("\n");
}

Deno.test({
  name: "aeraki proxy carries a Java Dubbo consumer's calls to Java Dubbo providers",
  ignore: missing !== undefined,
  async fn(t) {
    const dir = (app as { dir: string }).dir;
    const providers: JavaProvider[] = await Promise.all(
      ["v1", "v2"].map((v) => startJavaProvider(dir, v)),
    );
    const [v1, v2] = providers;
    let proxy: ServedProxy | undefined;
    try {
      proxy = await serveBootstrap(greetingBootstrap(v1.port, v2.port));
      const mux = proxy.ports.mux;
      const run = await runJavaConsumer(dir, { port: mux, steps: STEPS, heartbeatMs: 200 });
      assert.equal(run.code, 0, failures(run));
      const calls = run.calls;

      await t.step("sayHello splits 3:1 between v1 and v2, mutated both ways", () => {
        const hello = step(calls, 0);
        assert.equal(hello.length, HELLO_CALLS);
        const by = { v1: 0, v2: 0 } as Record<string, number>;
        for (const c of hello) {
          assert.ok(c.ok, JSON.stringify(c));
          const label = c.attachments!["served-by"];
          assert.equal(c.result, `hello ada from ${label}`);
          by[label]++;
          // The route's request mutation arrives at the provider as an attachment, next to
          // the consumer's own; the response mutation arrives at the consumer.
          assert.equal(c.attachments!["echo.x-aeraki-route"], "hello-split");
          assert.equal(c.attachments!["echo.who"], "ada");
          assert.equal(c.attachments!["x-aeraki-proxy"], "deno");
        }
        assert.equal(by.v1 + by.v2, HELLO_CALLS);
        assert.ok(by.v2 > 0 && by.v1 > by.v2, `3:1 split, got ${JSON.stringify(by)}`);
      });

      await t.step("greet passes a POJO both ways and only sayHello is mutated", () => {
        const [greet] = step(calls, 1);
        assert.ok(greet.ok, JSON.stringify(greet));
        assert.deepEqual(greet.result, {
          message: "hello Ada (36)",
          version: "v2",
          person: { name: "Ada", age: 36, tags: ["math", "engines"] },
        });
        assert.equal(greet.attachments!["echo.x-aeraki-route"], undefined);
        assert.equal(greet.attachments!["x-aeraki-proxy"], undefined);
      });

      await t.step("a provider's exception reaches the consumer as that exception", () => {
        const [fail] = step(calls, 2);
        assert.equal(fail.ok, false);
        assert.equal(fail.error, "java.lang.IllegalArgumentException");
        assert.equal(fail.message, "boom (from v1)");
      });

      await t.step(
        "a call that matches no route gets an RpcException with the proxy's text",
        () => {
          const [lost] = step(calls, 3);
          assert.equal(lost.ok, false);
          assert.equal(lost.error, "org.apache.dubbo.rpc.RpcException");
          assert.match(lost.message!, /meta protocol router: no matched route for request/);
        },
      );

      await t.step("oneway calls are forwarded (the provider recorded them)", () => {
        assert.deepEqual(step(calls, 4).map((c) => c.ok), [true, true, true]);
        const [recorded] = step(calls, 5);
        assert.deepEqual(recorded.result, ["e1", "e1", "e1"]);
      });

      await t.step("the provider sees the consumer's attachments", () => {
        const [echo] = step(calls, 6);
        const got = echo.result as Record<string, string>;
        assert.equal(got.target, "v1");
        assert.equal(got["x-trace"], "t-1");
      });

      await t.step("the proxy answers the consumer's heartbeats itself", async () => {
        assert.ok(
          await proxy!.stat("meta_protocol.dubbo.mux.request_event") > 0,
          "heartbeats arrived during the idle pause",
        );
        assert.equal(await proxy!.stat("meta_protocol.dubbo.mux.request_decoding_error"), 0);
        // A Dubbo client whose heartbeats go unanswered drops the connection and says so
        // (seen with a relay that swallowed them); answered, it keeps the connection.
        assert.doesNotMatch(run.stderr, /invalidate list due to connectivity problem/);
      });

      await t.step("several consumers share one upstream connection per provider", async () => {
        const cx = () =>
          Promise.all(["v1", "v2"].map((v) => proxy!.stat(`cluster.${v}.upstream_cx_total`)));
        // v1 has only had two-way calls: one shared connection. v2 also had the oneway
        // calls, which take a connection of their own (released after the write).
        const before = await cx();
        assert.equal(before[0], 1);
        const runs = await Promise.all([0, 1].map((i) =>
          runJavaConsumer(dir, {
            port: mux,
            connections: 3,
            steps: [
              { method: "sayHello", args: [`c${i}`], calls: 40, threads: 6 },
              { method: "connections", attachments: { target: "v1" } },
              { method: "connections", attachments: { target: "v2" } },
            ],
          })
        ));
        for (const [i, r] of runs.entries()) {
          assert.equal(r.code, 0, failures(r));
          const hello = step(r.calls, 0);
          assert.equal(hello.length, 40);
          for (const c of hello) {
            assert.match(String(c.result), new RegExp(`^hello c${i} from v[12]$`));
          }
          // Six consumer connections, and the providers have seen only the proxy's.
          assert.deepEqual([step(r.calls, 1)[0].result, step(r.calls, 2)[0].result], before);
        }
        assert.deepEqual(await cx(), before, "no upstream connection was opened for them");
      });

      await t.step("the exclusive pool carries the same calls", async () => {
        const r = await runJavaConsumer(dir, {
          port: proxy!.ports.exclusive,
          steps: [
            { method: "sayHello", args: ["solo"], calls: 20, threads: 4 },
            { method: "greet", args: [{ name: "Bo", age: 7, tags: [] }] },
            // Not marked expectError: the consumer must exit non-zero for it.
            { method: "fail", args: ["surprise"], attachments: { target: "v2" } },
          ],
        });
        assert.equal(r.code, 1, "a failed call makes the consumer exit 1");
        assert.equal(step(r.calls, 0).filter((c) => c.ok).length, 20, failures(r));
        assert.equal((step(r.calls, 1)[0].result as { version: string }).version, "v2");
        assert.equal(step(r.calls, 2)[0].message, "surprise (from v2)");
      });
    } finally {
      if (proxy) assert.equal(await proxy.close(), 0);
      await Promise.all(providers.map((p) => p.close()));
    }
  },
});
