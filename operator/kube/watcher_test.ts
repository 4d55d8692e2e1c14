import assert from "node:assert/strict";
import { Clock, Effect, Fiber, Layer, Stream } from "effect";
import { TestClock } from "effect/testing";
import { KubeClient, type KubeClientShape, type WatchEvent } from "./client.ts";
import { KubeApiError, KubeGoneError } from "./errors.ts";
import { META_ROUTER } from "./kinds.ts";
import { runWatcher, type WatcherEvent } from "./watcher.ts";

// A scripted client for timing only: the watcher's behaviour against a real API server is
// tested in watcher_kube_test.ts.
type Call = { at: number; op: string };

function scripted(script: {
  list: (n: number) => Effect.Effect<{ items: never[]; resourceVersion: string }, KubeApiError>;
  watch: (n: number, rv: string) => Stream.Stream<WatchEvent, KubeApiError | KubeGoneError>;
}, calls: Call[]): Layer.Layer<KubeClient> {
  let lists = 0, watches = 0;
  const record = (op: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => calls.push({ at, op })));
  const unused = () => Effect.die("not used");
  const client: KubeClientShape = {
    list: () => Effect.flatMap(record("list"), () => script.list(++lists)),
    watch: (_kind, o) =>
      Stream.unwrap(
        Effect.map(record(`watch@${o.resourceVersion}`), () =>
          script.watch(++watches, o.resourceVersion)),
      ),
    get: unused,
    apply: unused,
    applyStatus: unused,
    delete: unused,
  };
  return Layer.succeed(KubeClient, client);
}

const serverError = new KubeApiError({ status: 500, reason: "InternalError", message: "boom" });
const gone = new KubeGoneError({ status: 410, reason: "Expired", message: "too old" });

function run(layer: Layer.Layer<KubeClient>, until: number, events: WatcherEvent[] = []) {
  return Effect.runPromise(
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        runWatcher(META_ROUTER, { onEvent: (e) => Effect.sync(() => events.push(e)) }),
      );
      for (let t = 0; t < until; t += 10) yield* TestClock.adjust("10 millis");
      yield* Fiber.interrupt(fiber);
    }).pipe(Effect.provide(Layer.merge(layer, TestClock.layer()))),
  );
}

Deno.test("runWatcher() backs off exponentially with jitter, capped at 30 s, while listing fails", async () => {
  const calls: Call[] = [];
  const layer = scripted(
    { list: () => Effect.fail(serverError), watch: () => Stream.empty },
    calls,
  );
  await run(layer, 200_000);
  const gaps = calls.slice(1).map((c, i) => Math.round(c.at - calls[i].at));
  assert.ok(gaps.length >= 8, `only ${gaps.length} retries`);
  gaps.forEach((gap, i) => {
    const nominal = 800 * 2 ** i;
    if (nominal * 0.8 >= 30_000) assert.equal(gap, 30_000, `retry ${i + 1} waited ${gap} ms`);
    else {
      // The test clock moves in 10 ms steps, so a wake-up is seen up to 10 ms late.
      assert.ok(
        gap >= nominal * 0.8 && gap <= Math.min(nominal * 1.2, 30_000) + 10,
        `retry ${i + 1} waited ${gap} ms`,
      );
    }
  });
});

Deno.test("runWatcher() resumes from the last resourceVersion, resets its backoff after an event and relists at once on 410", async () => {
  const calls: Call[] = [];
  const mr = (rv: string) => ({
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: "default", name: "a", resourceVersion: rv },
  });
  const layer = scripted({
    list: (n) => Effect.succeed({ items: [], resourceVersion: n === 1 ? "5" : "9" }),
    watch: (n) => {
      if (n <= 2) return Stream.fail(serverError);
      if (n === 3) {
        return Stream.concat(
          Stream.make({ type: "ADDED", object: mr("7") } as WatchEvent),
          Stream.fail(serverError),
        );
      }
      return n === 4 ? Stream.fail(gone) : Stream.never;
    },
  }, calls);
  const events: WatcherEvent[] = [];
  await run(layer, 10_000, events);
  assert.deepEqual(calls.map((c) => c.op), [
    "list",
    "watch@5",
    "watch@5",
    "watch@5",
    "watch@7",
    "list",
    "watch@9",
  ]);
  const gap = (i: number) => Math.round(calls[i].at - calls[i - 1].at);
  assert.ok(gap(2) >= 640 && gap(2) <= 970, `first retry after ${gap(2)} ms`);
  assert.ok(gap(3) >= 1280 && gap(3) <= 1930, `second retry after ${gap(3)} ms`);
  assert.ok(gap(4) >= 640 && gap(4) <= 970, `retry after an event waited ${gap(4)} ms`);
  assert.equal(gap(5), 0, "the relist after 410 waited");
  assert.deepEqual(events.map((e) => e.type), ["Restarted", "Applied", "Restarted"]);
});
