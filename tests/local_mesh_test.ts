/**
 * `aeraki local` end to end: a folder with a Thrift ServiceEntry on a loopback address whose
 * endpoints are npm `thrift` servers (subsets v1, v2) and a MetaRouter; real library clients
 * call through our proxy, which gets everything from our xDS server.
 */
import assert from "node:assert/strict";
import {
  type ClientCounts,
  connectCounted,
  freePort,
  routerYaml,
  sayHello,
  serviceYaml,
  startLocalMesh,
} from "./_local_mesh_testing.ts";

/** Bounds holding a binomial(n, p) count except with probability about 1e-6 (z = 5). */
function binomialBounds(n: number, p: number): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [n * p - 5 * sd, n * p + 5 * sd];
}

Deno.test("localMesh() splits real Thrift calls by the MetaRouter's weights", async () => {
  const f = await startLocalMesh([30, 70]);
  const counts: ClientCounts = { closed: 0, errors: 0 };
  const clients = await Promise.all(
    Array.from({ length: 8 }, () => connectCounted(f.vip, f.port, counts)),
  );
  try {
    const replies: string[] = [];
    for (let round = 0; round < 60; round++) {
      replies.push(...await Promise.all(clients.map(sayHello)));
    }
    const v1 = replies.filter((r) => r === "v1").length;
    const [low, high] = binomialBounds(replies.length, 0.3);
    assert.ok(v1 >= low && v1 <= high, `v1 got ${v1} of ${replies.length}`);
    assert.equal(replies.filter((r) => r !== "v1" && r !== "v2").length, 0);
    const totals = f.mesh.counters.subsetTotals();
    assert.equal(totals.get("hello.demo.local:" + f.port + " v1"), v1);
    assert.deepEqual(counts, { closed: 0, errors: 0 });
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await f.close();
  }
});

Deno.test("localMesh() applies a MetaRouter edit under load without a failed call or closed connection, and keeps it through an invalid edit", async () => {
  const f = await startLocalMesh([30, 70]);
  const counts: ClientCounts = { closed: 0, errors: 0 };
  const clients = await Promise.all(
    Array.from({ length: 8 }, () => connectCounted(f.vip, f.port, counts)),
  );
  let failures = 0, calls = 0, running = true;
  const recent: string[] = [];
  const loops = clients.map(async (c) => {
    while (running) {
      try {
        const reply = await sayHello(c);
        recent.push(reply);
        if (recent.length > 200) recent.shift();
        calls++;
      } catch {
        failures++;
      }
    }
  });
  const onlyV1 = () => recent.length === 200 && recent.every((r) => r === "v1");
  try {
    await f.waitFor("calls to both subsets", () => recent.includes("v1") && recent.includes("v2"));
    const before = f.mesh.last().count;
    const handle = f.mesh.proxy.proxy;
    await f.write("router.yaml", routerYaml(100, 0));
    await f.waitFor("the 100/0 split", () => {
      if (recent.length === 200 && recent.some((r) => r === "v2")) recent.length = 0;
      return onlyV1();
    });
    assert.ok(f.mesh.last().count > before);
    assert.equal(f.mesh.proxy.proxy, handle, "the proxy was restarted");

    // An invalid weight: the problem is printed with file, object and field; v1 keeps serving.
    const good = f.mesh.last();
    await f.write("router.yaml", routerYaml(100, '"lots"'));
    await f.waitFor("the invalid edit to be reported", () => f.mesh.last().count > good.count);
    const last = f.mesh.last();
    assert.equal(last.ok, false);
    assert.equal(last.version, good.version);
    assert.match(
      last.problems.join("\n"),
      new RegExp(
        `${f.dir}/router\\.yaml:\\d+:\\d+: MetaRouter/demo/hello: spec\\.routes\\[0\\]\\.route\\[1\\]\\.weight: `,
      ),
    );
    assert.match(f.logs.join("\n"), /Kept the last good config: fix 1 problem/);
    recent.length = 0;
    await f.waitFor("200 more calls", () => recent.length === 200);
    assert.ok(onlyV1(), `calls after the invalid edit: ${recent.join(",")}`);
  } finally {
    running = false;
    await Promise.all(loops);
    await Promise.all(clients.map((c) => c.close()));
    await f.close();
  }
  assert.ok(calls > 0);
  assert.equal(failures, 0);
  assert.deepEqual(counts, { closed: 0, errors: 0 });
});

Deno.test("localMesh() moves the listener when the ServiceEntry's port changes, warm before it listens", async () => {
  const f = await startLocalMesh([0, 100]);
  const counts: ClientCounts = { closed: 0, errors: 0 };
  const moved = freePort(f.vip);
  const handle = f.mesh.proxy.proxy;
  try {
    const before = await connectCounted(f.vip, f.port, counts);
    assert.equal(await sayHello(before), "v2");
    await before.close();
    await f.write("service.yaml", serviceYaml(f.vip, moved, ...f.upstreams));
    await f.waitFor(
      "the new listener",
      () => f.mesh.proxy.proxy?.ports.has(`${f.vip}_${moved}`) ?? false,
    );
    assert.equal(f.mesh.proxy.proxy, handle, "the proxy was restarted");
    // The first call on the new listener already has its routes and endpoints.
    const after = await connectCounted(f.vip, moved, counts);
    assert.equal(await sayHello(after), "v2");
    await after.close();
    await assert.rejects(Deno.connect({ hostname: f.vip, port: f.port }));
  } finally {
    await f.close();
  }
  assert.deepEqual(counts, { closed: 0, errors: 0 });
});
