/**
 * `aeraki local` edit latency as percentiles: `deno run -A bench/local_edit_latency.ts [edits]
 * [debounceMs]` runs the local mesh of the tests (a loopback ServiceEntry, npm `thrift`
 * servers v1/v2), rewrites the MetaRouter file between 100/0 and 0/100, and times each write
 * until the running proxy holds the new route table (p50/p99), and the reload alone (read,
 * validate, generate, publish). No client traffic: this is the control path's own time.
 *
 * @module
 */
import { routerYaml, startLocalMesh } from "../tests/_local_mesh_testing.ts";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function main(edits: number, debounceMs: number): Promise<void> {
  const f = await startLocalMesh([100, 0], { debounceMs });
  const table = () => JSON.stringify(f.mesh.proxy.proxy?.routeTables().values().next().value);
  const samples: number[] = [], reloads: number[] = [], waits: number[] = [], pushes: number[] = [];
  try {
    for (let i = 0; i < edits; i++) {
      const before = table();
      const t0 = performance.now();
      await f.write("router.yaml", i % 2 === 0 ? routerYaml(0, 100) : routerYaml(100, 0));
      while (table() === before) await new Promise((r) => setTimeout(r, 1));
      const t1 = performance.now();
      const last = f.mesh.last();
      samples.push(t1 - t0);
      reloads.push(last.durationMs);
      // Write → reload start: the file watch and the debounce.
      waits.push((last.startedAt ?? t0) - t0);
      // Published → the proxy holds the table: the xDS push and the proxy's apply.
      pushes.push(t1 - (last.startedAt ?? t0) - last.durationMs);
    }
  } finally {
    await f.close();
  }
  for (const list of [samples, reloads, waits, pushes]) list.sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `${edits} edits, debounce ${debounceMs} ms: file write → proxy route table p50 ${
      ms(percentile(samples, 0.5))
    }, p99 ${ms(percentile(samples, 0.99))}; reload p50 ${ms(percentile(reloads, 0.5))}, p99 ${
      ms(percentile(reloads, 0.99))
    }`,
  );
  console.log(
    `  of which write → reload start (watch + debounce) p50 ${ms(percentile(waits, 0.5))}, p99 ${
      ms(percentile(waits, 0.99))
    }; published → proxy table (xDS push + apply) p50 ${ms(percentile(pushes, 0.5))}, p99 ${
      ms(percentile(pushes, 0.99))
    }`,
  );
}

if (import.meta.main) {
  await main(Number(Deno.args[0] ?? 200), Number(Deno.args[1] ?? 20));
}
