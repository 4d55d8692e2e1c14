import assert from "node:assert/strict";
import { encode, lookupType, ROUTE_CONFIGURATION_TYPE_URL } from "../../proto/mod.ts";
import { convertRouteConfiguration } from "../../proxy/rds/mod.ts";
import { FileSource } from "./file_source.ts";
import { LocalConfigBuilder } from "./local_config.ts";

const SERVICE = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: hello, namespace: demo }
spec:
  hosts: [hello.demo.local]
  addresses: [127.0.0.10]
  ports: [{ number: 9090, name: tcp-metaprotocol-thrift-hello, protocol: TCP }]
  resolution: STATIC
  endpoints:
    - { address: 127.0.0.1, ports: { tcp-metaprotocol-thrift-hello: 9191 }, labels: { version: v1 } }
    - { address: 127.0.0.1, ports: { tcp-metaprotocol-thrift-hello: 9192 }, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: hello, namespace: demo }
spec:
  host: hello.demo.local
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
`;

function router(v1: number, v2: number): string {
  return `apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: MetaRouter
metadata: { name: hello, namespace: demo }
spec:
  hosts: [hello.demo.local]
  routes:
    - name: split
      route:
        - { destination: { host: hello.demo.local, subset: v1 }, weight: ${v1} }
        - { destination: { host: hello.demo.local, subset: v2 }, weight: ${v2} }
`;
}

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "aeraki-local-config-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

Deno.test("LocalConfigBuilder.build() gives a listener on the address and a cluster per subset", async () => {
  const dir = await folder({ "a.yaml": SERVICE, "b.yaml": router(30, 70) });
  try {
    const config = new LocalConfigBuilder().build(await new FileSource(dir).read());
    assert.ok(config.ok);
    const r = config.resources;
    assert.deepEqual(r.listeners.map((l) => l.name), ["127.0.0.10_9090"]);
    assert.deepEqual(r.clusters.map((c) => c.name), [
      "outbound|9090||hello.demo.local",
      "outbound|9090|v1|hello.demo.local",
      "outbound|9090|v2|hello.demo.local",
    ]);
    const v2 = r.loadAssignments.find((a) => a.clusterName.includes("|v2|"));
    assert.match(JSON.stringify(v2), /"portValue":9192/);
    assert.doesNotMatch(JSON.stringify(v2), /9191/);
    assert.equal(config.objects, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalConfigBuilder.build() serves a 100/0 split that our proxy reads as weights 100 and 0", async () => {
  const dir = await folder({ "a.yaml": SERVICE, "b.yaml": router(100, 0) });
  try {
    const config = new LocalConfigBuilder().build(await new FileSource(dir).read());
    assert.ok(config.ok);
    const [served] = config.resources.routeConfigurations;
    // Encoded as Envoy serves it (a weight of 0 is an empty wrapper), then read by our RDS client.
    const bytes = encode(ROUTE_CONFIGURATION_TYPE_URL, served);
    assert.ok(bytes.ok);
    const type = lookupType(ROUTE_CONFIGURATION_TYPE_URL)!;
    const decoded = type.toObject(type.decode(bytes.bytes), { enums: String, longs: Number });
    const table = convertRouteConfiguration(decoded, served.name, "1");
    assert.ok(table.ok, table.ok ? "" : table.error);
    assert.deepEqual(table.table.routes[0].action.target, {
      kind: "weighted",
      clusters: [
        { name: "outbound|9090|v1|hello.demo.local", weight: 100 },
        { name: "outbound|9090|v2|hello.demo.local", weight: 0 },
      ],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalConfigBuilder.build() names the file, object and field of every problem", async () => {
  const dir = await folder({
    "a.yaml": SERVICE,
    "b.yaml": router(30, 71),
    "c.yaml":
      "kind: MetaRouter\napiVersion: metaprotocol.aeraki.io/v1alpha1\nmetadata: {name: x}\nspec: {hosts: 3}\n",
  });
  try {
    const builder = new LocalConfigBuilder();
    const first = builder.build(await new FileSource(dir).read());
    assert.equal(first.ok, false);
    assert.ok(!first.ok);
    assert.deepEqual(first.problems, [
      `${dir}/b.yaml:8:7: MetaRouter/demo/hello: spec.routes[0].route: Make the weights add up to 100: they add up to 101 (30 + 71)`,
      `${dir}/c.yaml:4:8: MetaRouter/x: spec.hosts: Use a list: got 3`,
    ]);
    // A problem only generation finds (across objects) names the file of the object too.
    await Deno.remove(`${dir}/c.yaml`);
    await Deno.writeTextFile(`${dir}/b.yaml`, router(30, 70));
    const other = SERVICE.split("---")[0].replaceAll("hello", "other");
    await Deno.writeTextFile(`${dir}/d.yaml`, other);
    const second = builder.build(await new FileSource(dir).read());
    assert.ok(!second.ok);
    assert.deepEqual(second.problems, [
      `${dir}/d.yaml:1: ServiceEntry/demo/other: spec.addresses: Change the address or port: listener "127.0.0.10_9090" already belongs to ServiceEntry/demo/hello`,
    ]);
    // A subset the DestinationRule lacks would route to a cluster that does not exist.
    await Deno.remove(`${dir}/d.yaml`);
    await Deno.writeTextFile(`${dir}/b.yaml`, router(30, 70).replace("subset: v2", "subset: v3"));
    const third = builder.build(await new FileSource(dir).read());
    assert.ok(!third.ok);
    assert.deepEqual(third.problems, [
      `${dir}/b.yaml:1: MetaRouter/demo/hello: route "split": Add subset "v3" to the DestinationRule of "hello.demo.local" or route elsewhere: cluster "outbound|9090|v3|hello.demo.local" does not exist`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSource.read() decodes only changed files; unchanged ones keep their objects", async () => {
  const dir = await folder({ "a.yaml": SERVICE, "b.yaml": router(30, 70) });
  try {
    const source = new FileSource(dir);
    const first = await source.read();
    await Deno.writeTextFile(`${dir}/b.yaml`, router(50, 50));
    const second = await source.read();
    assert.equal(second.files[0], first.files[0]);
    assert.notEqual(second.files[1], first.files[1]);
    assert.equal(second.origins.get("MetaRouter/demo/hello"), `${dir}/b.yaml:1`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSource.read() reports YAML syntax errors with the line and column", async () => {
  const dir = await folder({ "bad.yml": "kind: [unclosed\n" });
  try {
    const read = await new FileSource(dir).read();
    assert.equal(read.files[0].problems.length > 0, true);
    assert.match(
      read.files[0].problems[0],
      new RegExp(`^${dir}/bad\\.yml:\\d+:\\d+: Fix the YAML syntax of document 1: `),
    );
    assert.deepEqual(read.files[0].objects, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalConfigBuilder.build() accepts the demo's folder (examples/local/mesh)", async () => {
  const dir = new URL("../../examples/local/mesh", import.meta.url).pathname;
  const config = new LocalConfigBuilder().build(await new FileSource(dir).read());
  assert.ok(config.ok, config.ok ? "" : config.problems.join("\n"));
  assert.deepEqual(config.resources.listeners.map((l) => l.name).sort(), [
    "127.0.0.10_9090",
    "127.0.0.11_20880",
  ]);
  assert.equal(config.resources.routeConfigurations.length, 2);
});
