/**
 * Operator latency and memory against a real kube-apiserver (issue 9's benchmark):
 *
 *     deno task bench:operator [--services 1000,10000] [--changes 200] [--debounce 100]
 *
 * For each mesh size N: N ServiceEntries (Thrift and Dubbo ports) and a MetaRouter for every
 * tenth service are applied concurrently in a fresh namespace; the EnvoyFilter controller is
 * started in a child process (its memory is the operator's alone) and the stored EnvoyFilters
 * are watched until they are the ones `aeraki render` prints for the same objects. Then K
 * MetaRouter edits are made one at a time, a random pause of up to twice the debounce apart,
 * and each is timed from the API server's answer to the edit to the watch event of the
 * EnvoyFilter stored with the new content. Printed: p50/p99/max of that latency against the
 * target (debounce + 100 ms), the reconcile's compute time per change (generation and plan,
 * writes excluded), the operator's CPU time per change, and its RSS and V8 heap at N services
 * after convergence (after a full garbage collection).
 *
 * Uses the API server of `AERAKI_KUBECONFIG`, or starts its own with `_tools/kube_env.sh`.
 *
 * @module
 */
import { Effect, Fiber } from "effect";
import { renderObjects } from "../operator/cli/render.ts";
import {
  ENVOY_FILTER,
  kindPath,
  KubeClient,
  type KubeClientShape,
  type KubeObject,
  META_ROUTER,
  runWatcher,
  SERVICE_ENTRY,
} from "../operator/kube/mod.ts";
import { loadKubeConfig, makeKubeClient } from "../operator/kube/client_live.ts";
import { RawKubeApi } from "../operator/kube/_transport.ts";
import { installCrds } from "../tests/kube_env.ts";
import { runChild } from "./_operator_child.ts";
import { OperatorProcess } from "./_operator_process.ts";
import { benchMesh, benchMetaRouter, ROUTER_EVERY } from "./_operator_mesh.ts";

interface Options {
  readonly services: number[];
  readonly changes: number;
  readonly debounceMs: number;
}

function parseOptions(args: readonly string[]): Options {
  const value = (name: string, fallback: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
  };
  return {
    services: value("services", "1000,10000").split(",").map(Number),
    changes: Number(value("changes", "200")),
    debounceMs: Number(value("debounce", "100")),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function stats(samples: readonly number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return "no samples";
  const ms = (v: number) => v < 10 ? v.toFixed(2) : v.toFixed(0);
  return `p50 ${ms(percentile(s, 0.5))} ms, p99 ${ms(percentile(s, 0.99))} ms, max ${
    ms(s.at(-1)!)
  } ms`;
}

const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;

/** Stored EnvoyFilters, as the bench's own watch sees them. */
class StoredFilters {
  readonly specs = new Map<string, string>();
  #waiters: { test: () => boolean; resolve: () => void }[] = [];

  onEvent(type: string, objects: readonly KubeObject[]): void {
    if (type === "Restarted") this.specs.clear();
    for (const o of objects) {
      if (type === "Deleted") this.specs.delete(o.metadata.name);
      else this.specs.set(o.metadata.name, JSON.stringify(o.spec));
    }
    this.#waiters = this.#waiters.filter((w) => !(w.test() && (w.resolve(), true)));
  }

  /** Resolves once `test` holds (checked after each event), or fails after `timeoutMs`. */
  until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Cannot see ${what}: not stored after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

async function withKubeconfig(body: (kubeconfig: string) => Promise<void>): Promise<void> {
  const given = Deno.env.get("AERAKI_KUBECONFIG");
  if (given) return await body(given);
  const dir = await Deno.makeTempDir({ prefix: "aeraki-bench-kube-" });
  const script = new URL("../_tools/kube_env.sh", import.meta.url).pathname;
  const run = async (verb: string) => {
    const out = await new Deno.Command("bash", { args: [script, verb, dir] }).output();
    if (!out.success) {
      throw new Error(`Cannot ${verb} the kube env: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await run("start");
  try {
    await body(`${dir}/kubeconfig`);
  } finally {
    await run("stop");
  }
}

async function load(client: KubeClientShape, objects: readonly KubeObject[]): Promise<number> {
  const t0 = performance.now();
  await Effect.runPromise(
    Effect.forEach(objects, (o) => client.apply(o, { fieldManager: "aeraki-bench" }), {
      concurrency: 32,
      discard: true,
    }),
  );
  return performance.now() - t0;
}

/** One mesh size: the namespace, its objects, the bench's watch and the operator child. */
interface Setup {
  readonly n: number;
  readonly ns: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly { metadata: { name: string } }[];
  readonly stored: StoredFilters;
  readonly loadMs: number;
}

async function setUp(client: KubeClientShape, n: number): Promise<Setup> {
  const ns = `bench-${n}-${crypto.randomUUID().slice(0, 6)}`;
  await Effect.runPromise(
    client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }),
  );
  const objects = benchMesh(n, ns);
  const loadMs = await load(client, objects);
  const expected = renderObjects(objects, { rootNamespace: ns, routes: "inline" }).output
    .envoyFilters;
  return { n, ns, objects, expected, stored: new StoredFilters(), loadMs };
}

/** Watches the namespace's labelled EnvoyFilters into `stored` until interrupted. */
function watchFilters(client: KubeClientShape, s: Setup) {
  return Effect.runFork(Effect.provideService(
    runWatcher(ENVOY_FILTER, {
      namespace: s.ns,
      labelSelector: "manager=Aeraki",
      onEvent: (e) =>
        Effect.sync(() =>
          s.stored.onEvent(e.type, e.type === "Restarted" ? e.objects : [e.object])
        ),
    }),
    KubeClient,
    client,
  ));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes the MetaRouter changes one at a time; returns each one's latency. */
async function changeRouters(client: KubeClientShape, s: Setup, o: Options): Promise<number[]> {
  const routers = Math.ceil(s.n / ROUTER_EVERY), latencies: number[] = [];
  for (let k = 0; k < o.changes; k++) {
    // Changes arrive at random moments relative to the operator's debounce and reconciles.
    await sleep(Math.random() * 2 * o.debounceMs);
    const i = (k * 7919 % routers) * ROUTER_EVERY, tag = `change-${k}`;
    const name = filterOf(s.expected, i);
    await Effect.runPromise(
      client.apply(benchMetaRouter(i, s.ns, tag), { fieldManager: "aeraki-bench" }),
    );
    const start = performance.now();
    await s.stored.until(
      () => s.stored.specs.get(name)?.includes(`"${tag}"`) ?? false,
      30_000,
      `change ${k} in EnvoyFilter "${name}"`,
    );
    latencies.push(performance.now() - start);
  }
  return latencies;
}

async function benchSize(kubeconfig: string, client: KubeClientShape, n: number, o: Options) {
  const s = await setUp(client, n);
  const watch = watchFilters(client, s);
  const operator = new OperatorProcess(import.meta.filename!, [
    kubeconfig,
    s.ns,
    String(o.debounceMs),
  ]);
  try {
    const t0 = performance.now();
    const count = s.expected.length;
    await s.stored.until(() => s.stored.specs.size === count, 1_800_000, `${count} EnvoyFilters`);
    const convergeMs = performance.now() - t0;
    await sleep(3 * o.debounceMs + 500);
    const before = await operator.memory();
    operator.reconciles.length = 0;
    const latencies = await changeRouters(client, s, o);
    await sleep(3 * o.debounceMs + 200);
    const after = await operator.memory();
    const writes = operator.reconciles.filter((r) => r.applied > 0);
    const sorted = [...latencies].sort((a, b) => a - b);
    const target = o.debounceMs + 100;
    console.log(
      `${n} services (${s.objects.length} objects loaded in ${(s.loadMs / 1000).toFixed(1)} s; ` +
        `${count} EnvoyFilters stored ${
          (convergeMs / 1000).toFixed(1)
        } s after the operator started)\n` +
        `  MetaRouter change -> EnvoyFilter stored, ${latencies.length} changes: ${
          stats(sorted)
        } ` +
        `(target p99 <= ${target} ms: ${percentile(sorted, 0.99) <= target ? "met" : "MISSED"})\n` +
        `  reconcile compute per change (generation + plan, writes excluded): ${
          stats(writes.map((r) => r.computeMs ?? NaN))
        }\n` +
        `  operator CPU per change (everything, watches included): ${
          ((after.cpuMs - before.cpuMs) / o.changes).toFixed(2)
        } ms\n` +
        `  operator memory at ${n} services after convergence: rss ${mib(before.rss)}, ` +
        `V8 heap ${mib(before.heapUsed)}`,
    );
  } catch (e) {
    console.error("The operator's last reconciles:", operator.reconciles.slice(-5));
    throw e;
  } finally {
    await operator.stop();
    await Fiber.interrupt(watch);
    // A collection delete of 10,000 objects can outlast the request; the objects stay then.
    await removeNamespace(kubeconfig, s.ns).catch((e) =>
      console.error(`Cannot delete the objects of namespace "${s.ns}": ${e}`)
    );
  }
}

/**
 * Deletes the bench's objects (a bare API server has no namespace controller to do it), so
 * that later runs and tests watching every namespace do not see them.
 */
async function removeNamespace(kubeconfig: string, ns: string): Promise<void> {
  const kc = await Effect.runPromise(loadKubeConfig({ kubeconfig }));
  const api = kc.makeApiClient(RawKubeApi);
  for (const kind of [SERVICE_ENTRY, META_ROUTER, ENVOY_FILTER]) {
    await api.send({ method: "DELETE", path: kindPath(kind, { namespace: ns }) });
  }
  await api.send({ method: "DELETE", path: `/api/v1/namespaces/${ns}` });
}

/** The name of the outbound EnvoyFilter of service `i`. */
function filterOf(filters: readonly { metadata: { name: string } }[], i: number): string {
  const prefix = `aeraki-outbound-svc${i}.`;
  const found = filters.find((f) => f.metadata.name.startsWith(prefix));
  if (!found) {
    throw new Error(`Cannot find the EnvoyFilter of service ${i}: none is named "${prefix}…"`);
  }
  return found.metadata.name;
}

async function main(args: readonly string[]): Promise<void> {
  if (args[0] === "child") return await runChild(args[1], args[2], Number(args[3]));
  const options = parseOptions(args);
  await withKubeconfig(async (kubeconfig) => {
    const client = makeKubeClient(await Effect.runPromise(loadKubeConfig({ kubeconfig })));
    await Effect.runPromise(Effect.provideService(installCrds(), KubeClient, client));
    console.log(
      `debounce ${options.debounceMs} ms; load: ${
        (await Deno.readTextFile("/proc/loadavg")).trim()
      }`,
    );
    for (const n of options.services) await benchSize(kubeconfig, client, n, options);
  });
}

await main(Deno.args);
Deno.exit(0);
