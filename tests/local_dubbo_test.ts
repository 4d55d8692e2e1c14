/**
 * `aeraki local` with Dubbo: a loopback ServiceEntry whose endpoints are two Dubbo providers
 * (hessian.js bodies), a MetaRouter sending sayHello to v2, then to v1 after an edit.
 */
import assert from "node:assert/strict";
import { Effect, Exit, Scope } from "effect";
import { localMesh } from "../operator/local/mod.ts";
import { connectDubboHello, startDubboHello } from "./_dubbo_hello_peer.ts";
import { freePort } from "./_local_mesh_testing.ts";

const HOST = "org.apache.dubbo.samples.basic.api.demoservice";

function mesh(vip: string, port: number, v1: number, v2: number, weights: [number, number]) {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: demo, namespace: demo }
spec:
  hosts: [${HOST}]
  addresses: [${vip}]
  ports: [{ number: ${port}, name: tcp-metaprotocol-dubbo, protocol: TCP }]
  resolution: STATIC
  endpoints:
    - { address: 127.0.0.1, ports: { tcp-metaprotocol-dubbo: ${v1} }, labels: { version: v1 } }
    - { address: 127.0.0.1, ports: { tcp-metaprotocol-dubbo: ${v2} }, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: demo, namespace: demo }
spec:
  host: ${HOST}
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
---
apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: MetaRouter
metadata: { name: demo, namespace: demo }
spec:
  hosts: [${HOST}]
  routes:
    - name: hello
      match: { attributes: { method: { exact: sayHello } } }
      route:
        - { destination: { host: ${HOST}, subset: v1 }, weight: ${weights[0]} }
        - { destination: { host: ${HOST}, subset: v2 }, weight: ${weights[1]} }
`;
}

Deno.test("localMesh() routes Dubbo calls by the MetaRouter and follows an edit on the same connection", async () => {
  const v1 = startDubboHello("v1"), v2 = startDubboHello("v2");
  const dir = await Deno.makeTempDir({ prefix: "aeraki-local-dubbo-" });
  const vip = "127.0.0.11", port = freePort(vip);
  await Deno.writeTextFile(`${dir}/mesh.yaml`, mesh(vip, port, v1.port, v2.port, [0, 100]));
  const scope = await Effect.runPromise(Scope.make());
  try {
    const m = await Effect.runPromise(Scope.provide(scope)(localMesh(dir, { log: () => {} })));
    assert.ok(m.last().ok, m.last().problems.join("\n"));
    const client = await connectDubboHello(vip, port);
    const handle = m.proxy.proxy;
    for (let i = 0; i < 20; i++) {
      assert.equal(await client.sayHello("dubbo"), "hello dubbo from v2");
    }
    await Deno.writeTextFile(`${dir}/mesh.yaml`, mesh(vip, port, v1.port, v2.port, [100, 0]));
    let reply = "";
    for (let i = 0; i < 4000 && reply !== "hello dubbo from v1"; i++) {
      reply = await client.sayHello("dubbo");
      if (reply !== "hello dubbo from v1") await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(reply, "hello dubbo from v1");
    assert.equal(m.proxy.proxy, handle, "the proxy was restarted");
    client.close();
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void));
    v1.close();
    v2.close();
    await Deno.remove(dir, { recursive: true });
  }
});
