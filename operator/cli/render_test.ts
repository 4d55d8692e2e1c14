import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
import { main } from "./main.ts";
import { parseRenderArgs } from "./render.ts";

const EXAMPLE = "tests/testdata/render/worked_example";
const BAD_ROUTER = `apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: MetaRouter
metadata: {name: r, namespace: demo}
spec:
  hosts: [svc.demo.svc.cluster.local]
  routes:
    - route:
        - destination: {host: svc.demo.svc.cluster.local, subset: v1}
          weight: 30
        - destination: {host: svc.demo.svc.cluster.local, subset: v2}
          weight: 30
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ignored}
`;

Deno.test("render --format json prints exactly the four lists and exits 0", async () => {
  const io = memoryIo();
  assert.equal(await main(["render", "--format", "json", EXAMPLE], io), 0);
  const out = JSON.parse(io.stdout());
  assert.deepEqual(Object.keys(out), [
    "envoyFilters",
    "virtualServices",
    "routeConfigurations",
    "problems",
  ]);
  assert.equal(out.envoyFilters.length, 2);
  assert.equal(out.routeConfigurations.length, 1);
  assert.equal(io.stderr(), "");
});

Deno.test("render names the Service each EnvoyFilter came from in YAML", async () => {
  const io = memoryIo();
  assert.equal(await main(["render", EXAMPLE], io), 0);
  const headers = io.stdout().split("\n").filter((l) => l.startsWith("# EnvoyFilter"));
  assert.deepEqual(headers, [
    "# EnvoyFilter istio-system/aeraki-inbound-thrift-sample-server.meta-thrift.svc.cluster.local-9090 (from Service meta-thrift/thrift-sample-server)",
    "# EnvoyFilter istio-system/aeraki-outbound-thrift-sample-server.meta-thrift.svc.cluster.local-10.96.10.20-9090 (from Service meta-thrift/thrift-sample-server)",
  ]);
});

Deno.test("render reports decode problems from stdin, skips unknown kinds and exits 1", async () => {
  const io = memoryIo(new TextEncoder().encode(BAD_ROUTER));
  assert.equal(await main(["render", "--format=json", "-"], io), 1);
  const { problems } = JSON.parse(io.stdout());
  assert.deepEqual(problems, [{
    object: "MetaRouter/demo/r",
    field: "spec.routes[0].route",
    message: "Make the weights add up to 100: they add up to 60 (30 + 30)",
  }]);
  assert.match(
    io.stderr(),
    /^Found 1 problem\(s\):\n {2}MetaRouter\/demo\/r spec\.routes\[0\]\.route: /,
  );
});

Deno.test("render lists problems as comments in YAML and reports a missing path", async () => {
  const io = memoryIo();
  assert.equal(await main(["render", "no/such/dir"], io), 1);
  assert.match(io.stdout(), /^# Problems:\n# - no\/such\/dir: Check the path: /m);
});

Deno.test("render exits 2 on bad arguments", async () => {
  const io = memoryIo();
  assert.equal(await main(["render", "--format", "xml", EXAMPLE], io), 2);
  assert.match(io.stderr(), /^Cannot render: Use --format yaml or json: got "xml"/);
  assert.deepEqual(parseRenderArgs([]), { error: "Give at least one file or folder" });
  assert.deepEqual(parseRenderArgs(["--root-namespace", "mesh", "--namespace-scope", "a"]), {
    format: "yaml",
    options: { rootNamespace: "mesh", namespaceScope: true },
    paths: ["a"],
  });
});
