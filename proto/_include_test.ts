import assert from "node:assert/strict";
import { includeRoots, packageDir } from "./_include.ts";

Deno.test("packageDir() finds npm packages by module resolution", () => {
  const xds = packageDir("@grpc/grpc-js-xds");
  assert.ok("dir" in xds, JSON.stringify(xds));
  assert.ok(
    Deno.statSync(`${xds.dir}/deps/envoy-api/envoy/config/cluster/v3/cluster.proto`).isFile,
  );
  const missing = packageDir("no-such-package-for-aeraki");
  assert.ok("reason" in missing);
  assert.match(missing.reason, /^Cannot resolve "no-such-package-for-aeraki\/package\.json": /);
});

Deno.test("includeRoots() lists our folder, the xds deps and protobufjs", () => {
  const roots = includeRoots();
  assert.ok(roots.ok, roots.ok ? "" : roots.reason);
  assert.equal(roots.roots[0], new URL(".", import.meta.url).pathname.replace(/\/$/, ""));
  assert.deepEqual(
    roots.roots.slice(1, 5).map((r) => r.slice(r.lastIndexOf("/deps/") + 6)),
    ["envoy-api", "xds", "googleapis", "protoc-gen-validate"],
  );
  assert.ok(roots.roots.at(-1)?.endsWith("/protobufjs"));
});

Deno.test("Envoy protos load whatever the working directory", async () => {
  const config = new URL("../deno.json", import.meta.url).pathname;
  const registry = new URL("./registry.ts", import.meta.url).href;
  const script = `const { lookupType } = await import(${JSON.stringify(registry)});
    console.log(lookupType("envoy.config.cluster.v3.Cluster")?.fields.name.id);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, script],
    cwd: "/",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(out.code, 0, text.decode(out.stderr));
  assert.equal(text.decode(out.stdout).trim(), "1");
});
