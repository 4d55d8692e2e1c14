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
    file: "<stdin>",
    position: { line: 7, column: 7 },
  }]);
  assert.match(
    io.stderr(),
    /^Found 1 problem\(s\):\n {2}<stdin>:7:7: MetaRouter\/demo\/r: spec\.routes\[0\]\.route: /,
  );
});

Deno.test("render names a Service, not its synthetic ServiceEntry, and where it is", async () => {
  const yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: demo}\n" +
    "spec:\n  clusterIP: 10.0.0.1\n  ports:\n    - {name: tcp-metaprotocol-thirft, port: 9090}\n";
  const io = memoryIo(new TextEncoder().encode(yaml));
  assert.equal(await main(["render", "-"], io), 1);
  assert.equal(
    io.stderr(),
    "Found 1 problem(s):\n  <stdin>:7:8: Service/demo/s: spec.ports[0].name: Fix the protocol " +
      '"thirft" in port "tcp-metaprotocol-thirft" or add an ApplicationProtocol for it: the known ' +
      'protocols are "dubbo", "thrift" (did you mean "thrift"?)\n',
  );
  assert.doesNotMatch(io.stdout(), /synthetic-/);
});

Deno.test("render of a folder declaring a service twice names both files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const service = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: demo}\n" +
      "spec: {clusterIP: 10.0.0.1, ports: [{name: tcp-metaprotocol-thrift, port: 9090}]}\n";
    await Deno.writeTextFile(`${dir}/a.yaml`, service);
    await Deno.writeTextFile(`${dir}/b.yaml`, service);
    await Deno.writeTextFile(`${dir}/c.yaml`, "");
    const io = memoryIo();
    assert.equal(await main(["render", dir], io), 1);
    assert.equal(
      io.stderr(),
      `${dir}/c.yaml: warning: Add Kubernetes objects to the file: it holds no YAML documents\n` +
        "Found 1 problem(s):\n" +
        `  ${dir}/b.yaml:1:1: Service/demo/s: Remove one of the two declarations: ${dir}/a.yaml:1:1 ` +
        "declares it too, and the first one wins\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("render reports YAML syntax errors at file:line:column", async () => {
  const io = memoryIo(new TextEncoder().encode("kind: Service\nmetadata:\n  name: a\n   x: b\n"));
  assert.equal(await main(["render", "-"], io), 1);
  assert.match(
    io.stderr(),
    /^Found 2 problem\(s\):\n {2}<stdin>:3:9: Fix the YAML syntax of document 1: Nested mappings/,
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
