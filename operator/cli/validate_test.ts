import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
import { main } from "./main.ts";
import { objectLabel, summary, validateCommand } from "./validate.ts";

const DIR = new URL("../../tests/fixtures/validate/", import.meta.url).pathname;
const VALID = `${DIR}valid`;
const INVALID = `${DIR}invalid`;

async function run(...args: string[]) {
  const io = memoryIo();
  const code = await validateCommand.run(args, io);
  return { code, out: io.stdout(), err: io.stderr(), lines: io.stdout().trimEnd().split("\n") };
}

Deno.test("validateCommand accepts the demos of spec §1 and skips unknown kinds", async () => {
  const { code, lines, err } = await run(VALID);
  assert.equal(code, 0);
  assert.equal(lines.at(-1), "valid: 16 objects in 3 files, 0 problems, 2 warnings, 1 skipped");
  assert.equal(
    err,
    `${VALID}/other_kinds.yaml:117:1: Gateway/default/not-istio: skipped: kind not checked by this tool\n`,
  );
});

Deno.test("validateCommand prints warnings without failing (Q14, unreachable route)", async () => {
  const { lines } = await run(`${VALID}/quirks.yaml`);
  assert.deepEqual(lines.slice(0, 2), [
    `${VALID}/quirks.yaml:8:3: MetaRouter/demo/quirks: spec.exportTo: warning: Remove "~" unless you mean it: the MetaRouter is exported nowhere, so no EnvoyFilter is generated for its host`,
    `${VALID}/quirks.yaml:19:7: MetaRouter/demo/quirks: spec.routes[2]: warning: Move or remove route "never": it follows the catch-all route at spec.routes[1] and can never match`,
  ]);
});

Deno.test("validateCommand rejects every webhook case with one line per problem", async () => {
  const file = `${INVALID}/metarouter_webhook.yaml`;
  const { code, lines } = await run(file);
  assert.equal(code, 1);
  const objects = new Set(lines.slice(0, -1).map((l) => l.slice(file.length).split(": ")[1]));
  assert.equal(objects.size, 31, "every document has at least one problem");
  for (
    const expected of [
      ":6:3: MetaRouter/demo/no-host: spec.hosts: Add the host to route: a MetaRouter needs exactly one host",
      ":13:3: MetaRouter/demo/two-hosts: spec.hosts: Keep exactly one host: a MetaRouter routes one host, got 2",
      ":41:12: MetaRouter/demo/null-route: spec.routes[0]: Use an object: got null",
      ':78:40: MetaRouter/demo/not-re2: spec.routes[0].match.attributes.method.regex: Rewrite the regex "(?!say).*" in RE2 syntax: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
      ":190:7: MetaRouter/demo/weights-not-100: spec.routes[0].route: Make the weights add up to 100: they add up to 90 (20 + 70)",
      ':202:19: MetaRouter/demo/export-dot-and-own-namespace: spec.exportTo[1]: Remove the duplicate entry "demo": entry 0 (".") already exports to "demo"',
      ':268:21: MetaRouter/demo/local-bad-bucket: spec.localRateLimit.tokenBucket.fillInterval: Add the required field "fillInterval"',
    ]
  ) assert.ok(lines.includes(file + expected), expected);
  assert.equal(lines.at(-1), "invalid: 31 objects in 1 file, 40 problems, 0 warnings, 0 skipped");
});

Deno.test("validateCommand reports other kinds, Q1 ports and non-objects", async () => {
  const file = `${INVALID}/other_kinds.yaml`;
  const { code, lines } = await run(file);
  assert.equal(code, 1);
  assert.deepEqual(
    lines.slice(0, -1).map((l) => l.slice(file.length)),
    [
      ":5:9: ApplicationProtocol/empty: spec.protocol: Set the protocol name used in port names: it is empty",
      ':5:23: ApplicationProtocol/empty: spec.codec: Set the codec name, e.g. "aeraki.meta_protocol.codec.thrift": it is empty',
      ':12:55: MetaRouter/demo/typo: spec.routes[0].route[0].weigth: Remove the unknown field "weigth" or fix its spelling',
      ':13:1: MetaRouter/demo/typo: extra: Remove the unknown field "extra" or fix its spelling',
      ':19:13: Service/demo/no-app-protocol: spec.ports[0].name: Add the application protocol to the port name, e.g. "tcp-metaprotocol-thrift": "tcp-metaprotocol" names none',
      ':25:37: Gateway/istio-system/gw: spec.servers[0].port.name: Add the application protocol to the port name, e.g. "tcp-metaprotocol-thrift": "tcp-metaprotocol" names none',
      ':27:1: MetaRouter/demo/wrong-version: apiVersion: Use "metaprotocol.aeraki.io/v1alpha1": got "metaprotocol.aeraki.io/v1beta1"',
      ":32:1: Write a Kubernetes object (a map with apiVersion and kind) in document 6",
    ],
  );
  assert.equal(lines.at(-1), "invalid: 5 objects in 1 file, 8 problems, 0 warnings, 0 skipped");
});

Deno.test("validateCommand reports YAML syntax errors with file and line", async () => {
  const file = `${INVALID}/syntax.yml`;
  const { code, lines } = await run(file);
  assert.equal(code, 1);
  assert.equal(
    lines[0],
    `${file}:10:9: Fix the YAML syntax of document 2: Nested mappings are not allowed in compact mappings`,
  );
  assert.equal(lines.at(-1), "invalid: 1 object in 1 file, 2 problems, 0 warnings, 0 skipped");
});

Deno.test("validateCommand reads standard input for -", async () => {
  const yaml = "apiVersion: metaprotocol.aeraki.io/v1alpha1\nkind: ApplicationProtocol\n" +
    "metadata: {name: brpc}\nspec: {protocol: brpc, codec: aeraki.meta_protocol.codec.brpc}\n";
  const io = memoryIo(new TextEncoder().encode(yaml));
  assert.equal(await validateCommand.run(["-"], io), 0);
  assert.equal(io.stdout(), "valid: 1 object in 1 file, 0 problems, 0 warnings, 0 skipped\n");
});

Deno.test("validateCommand fails on a missing path and on bad arguments", async () => {
  const missing = await run(`${DIR}nope.yaml`);
  assert.equal(missing.code, 1);
  assert.match(missing.lines[0], /nope\.yaml: Check the path: /);
  const none = await run();
  assert.equal(none.code, 2);
  assert.match(none.err, /^Cannot validate: give at least one file or folder/);
  assert.equal((await run("--strict", VALID)).code, 2);
});

Deno.test("validateCommand is reachable through main() and documents its output", async () => {
  const io = memoryIo();
  assert.equal(await main(["help", "validate"], io), 0);
  assert.match(io.stdout(), /file:line:column: Kind\/namespace\/name: field\.path: message/);
  assert.equal(await main(["validate", `${VALID}/metarouters.yaml`], memoryIo()), 0);
});

Deno.test("objectLabel() and summary() shape the output", () => {
  assert.equal(
    objectLabel({ kind: "MetaRouter", metadata: { name: "a", namespace: "b" } }),
    "MetaRouter/b/a",
  );
  assert.equal(
    objectLabel({ kind: "ApplicationProtocol", metadata: { name: "a" } }),
    "ApplicationProtocol/a",
  );
  assert.equal(objectLabel(null), "<no kind>/<no name>");
  assert.equal(
    summary({ files: 1, objects: 1, problems: 0, warnings: 1, skipped: 0 }),
    "valid: 1 object in 1 file, 0 problems, 1 warning, 0 skipped",
  );
});

Deno.test("validateCommand names unknown protocols and codecs with the known ones", async () => {
  const protocols = await run(`${INVALID}/unknown_protocol.yaml`);
  assert.equal(protocols.code, 1);
  assert.equal(
    protocols.lines[0],
    `${INVALID}/unknown_protocol.yaml:16:9: Service/demo/dubbo-typo: spec.ports[1].name: Fix the protocol "dubo" in port "tcp-metaprotocol-dubo-server" or add an ApplicationProtocol for it: the known protocols are "dubbo", "thrift", "trpc" (did you mean "dubbo"?)`,
  );
  assert.match(protocols.lines[1], /ServiceEntry\/demo\/trpc-typo: .*\(did you mean "trpc"\?\)$/);
  assert.match(protocols.lines[2], /Service\/demo\/custom: .*"videopacket".*"trpc"$/);
  const codecs = await run(`${INVALID}/unknown_codec.yaml`);
  assert.equal(codecs.code, 1);
  assert.equal(
    codecs.lines[0],
    `${INVALID}/unknown_codec.yaml:7:3: ApplicationProtocol/trpc: spec.codec: Use a codec the proxy knows: "aeraki.meta_protocol.codec.tprc" is not one of "aeraki.meta_protocol.codec.brpc", "aeraki.meta_protocol.codec.dubbo", "aeraki.meta_protocol.codec.thrift", "aeraki.meta_protocol.codec.trpc" (did you mean "aeraki.meta_protocol.codec.trpc"?)`,
  );
  assert.doesNotMatch(codecs.lines[1], /did you mean/);
});

Deno.test("validateCommand warns about empty input and names both files of a duplicate", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const service = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: demo}\n" +
      "spec: {ports: [{name: tcp-metaprotocol-thrift, port: 9090}]}\n";
    await Deno.writeTextFile(`${dir}/a.yaml`, service);
    await Deno.writeTextFile(`${dir}/b.yaml`, "# nothing yet\n---\n" + service);
    await Deno.writeTextFile(`${dir}/empty.yml`, "# nothing here\n");
    await Deno.mkdir(`${dir}/none`);
    const { code, lines } = await run(dir, `${dir}/none`);
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      `${dir}/b.yaml:3:1: Service/demo/s: Remove one of the two declarations: ${dir}/a.yaml:1:1 declares it too, and the first one wins`,
      `${dir}/empty.yml: warning: Add Kubernetes objects to the file: it holds no YAML documents`,
      `${dir}/none: warning: Add *.yaml or *.yml files to the folder: it holds none`,
      "invalid: 1 object in 3 files, 1 problem, 2 warnings, 0 skipped",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
