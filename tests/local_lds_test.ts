/**
 * `aeraki local` never restarts its proxy: with npm `thrift` clients calling in a loop, a new
 * service is added (its listener appears), the calling service's DestinationRule changes
 * (load balancing, connection pool → circuit breakers) and the new service is removed — no
 * call fails and no connection closes on the listener that did not change. Over state of the
 * world and delta xDS.
 */
import assert from "node:assert/strict";
import {
  type ClientCounts,
  connectCounted,
  freePort,
  sayHello,
  serviceYaml,
  startLocalMesh,
} from "./_local_mesh_testing.ts";

function otherYaml(vip: string, port: number, v1: number, v2: number): string {
  return serviceYaml(vip, port, v1, v2).replaceAll("hello", "other");
}

function withPolicy(yaml: string): string {
  return yaml.replace(
    "  host: hello.demo.local\n",
    "  host: hello.demo.local\n  trafficPolicy:\n    loadBalancer: { simple: RANDOM }\n" +
      "    connectionPool: { tcp: { maxConnections: 77 } }\n",
  );
}

for (const delta of [false, true]) {
  Deno.test(`localMesh() adds a service, changes a DestinationRule and removes a service without a failed call or closed connection (${delta ? "delta" : "SotW"})`, async () => {
    const f = await startLocalMesh([50, 50], { delta });
    const handle = f.mesh.proxy.proxy!;
    const counts: ClientCounts = { closed: 0, errors: 0 };
    const clients = await Promise.all(
      [1, 2, 3, 4].map(() => connectCounted(f.vip, f.port, counts)),
    );
    let running = true, failures = 0, calls = 0;
    const loops = clients.map(async (c) => {
      while (running) {
        try {
          await sayHello(c);
          calls++;
        } catch {
          failures++;
        }
      }
    });
    const otherVip = f.vip.replace(/\.\d+$/, (m) => `.${(Number(m.slice(1)) % 250) + 2}`);
    const otherPort = freePort(otherVip);
    const otherName = `${otherVip}_${otherPort}`;
    const callsSince = async (what: string) => {
      const n = calls;
      await f.waitFor(what, () => calls > n + 50);
    };
    try {
      await callsSince("calls before the edits");
      // A new service: its listener appears and serves.
      await f.write("other.yaml", otherYaml(otherVip, otherPort, ...f.upstreams));
      await f.waitFor("the new listener", () => handle.ports.has(otherName));
      const other = await connectCounted(otherVip, otherPort, counts);
      assert.match(await sayHello(other), /^v[12]$/);
      await other.close();
      await callsSince("calls after the new service");
      // The DestinationRule of the calling service changes its clusters' policy.
      await f.write("service.yaml", withPolicy(serviceYaml(f.vip, f.port, ...f.upstreams)));
      const cluster = `outbound|${f.port}|v1|hello.demo.local`;
      await f.waitFor(
        "the new cluster policy",
        () => handle.clusterModels().get(cluster)?.lbPolicy === "RANDOM",
      );
      assert.equal(handle.clusterModels().get(cluster)?.circuitBreakers?.maxConnections, 77);
      await callsSince("calls after the DestinationRule change");
      // The new service goes away: its listener no longer accepts.
      await Deno.remove(`${f.dir}/other.yaml`);
      await f.waitFor("the listener to go", () => !handle.ports.has(otherName));
      await assert.rejects(Deno.connect({ hostname: otherVip, port: otherPort }));
      await callsSince("calls after the removal");
      assert.equal(f.mesh.proxy.proxy, handle, "the proxy was restarted");
    } finally {
      running = false;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.close()));
      await f.close();
    }
    assert.equal(failures, 0);
    assert.deepEqual(counts, { closed: 0, errors: 0 });
  });
}
