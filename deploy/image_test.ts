import assert from "node:assert/strict";
import { DEFAULT_OPERATOR_IMAGE } from "../constructs/mod.ts";
import {
  buildImage,
  BUNDLE_PATH,
  ENTRYPOINT,
  IMAGE_TAG,
  IMAGE_USER,
  sharedLibraries,
} from "./image.ts";

function has(cmd: string): boolean {
  try {
    return new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

// Building and running the image needs umoci, and root for chroot into the unpacked rootfs.
const CAN_BUILD = has("umoci") && Deno.uid() === 0 && canUnshare();

function canUnshare(): boolean {
  try {
    return new Deno.Command("unshare", { args: ["--mount", "--pid", "--fork", "true"] })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("IMAGE_TAG is the install's image tag and the project's version", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(IMAGE_TAG, version);
  assert.ok(DEFAULT_OPERATOR_IMAGE.endsWith(`:${IMAGE_TAG}`));
  assert.equal(ENTRYPOINT.at(-1), BUNDLE_PATH);
});

Deno.test("sharedLibraries() lists the C libraries the Deno binary loads", async () => {
  const libs = await sharedLibraries(Deno.execPath());
  assert.ok(libs.some((l) => /\/libc\.so\.6$/.test(l)), libs.join(" "));
  assert.ok(libs.some((l) => /\/ld-linux-x86-64\.so\.2$/.test(l)), libs.join(" "));
  assert.ok(libs.every((l) => l.startsWith("/")));
});

async function sh(cmd: string, args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    clearEnv: env !== undefined,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, out: text(out.stdout), err: text(out.stderr) };
}

Deno.test({
  name:
    "buildImage() writes an OCI image whose entrypoint runs aeraki as user 65532 with nothing but its rootfs (slow)",
  ignore: !CAN_BUILD,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "aeraki-image-test-" });
    try {
      const tarball = await buildImage({ output: `${dir}/aeraki-image.tar` });
      await Deno.mkdir(`${dir}/layout`);
      assert.equal((await sh("tar", ["-C", `${dir}/layout`, "-xf", tarball])).code, 0);
      const index = JSON.parse(await Deno.readTextFile(`${dir}/layout/index.json`));
      assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], IMAGE_TAG);
      const unpack = await sh("umoci", [
        "unpack",
        "--rootless",
        "--image",
        `${dir}/layout:${IMAGE_TAG}`,
        `${dir}/bundle`,
      ]);
      assert.equal(unpack.code, 0, unpack.err);
      const spec = JSON.parse(await Deno.readTextFile(`${dir}/bundle/config.json`));
      assert.deepEqual(spec.process.args, ENTRYPOINT);
      assert.deepEqual([spec.process.user.uid, spec.process.user.gid], [IMAGE_USER, IMAGE_USER]);
      const rootfs = `${dir}/bundle/rootfs`;
      for (const shell of ["bin/sh", "bin/bash", "usr/bin/sh"]) {
        assert.equal(await Deno.stat(`${rootfs}/${shell}`).then(() => true, () => false), false);
      }
      await Deno.copyFile(
        new URL("../tests/fixtures/validate/invalid/metarouter_webhook.yaml", import.meta.url),
        `${rootfs}/tmp/bad.yaml`,
      );
      // As a runtime would: a private /proc, the image's user and environment, chroot into the
      // rootfs (so only the image's binary, libraries and bundle are there), the entrypoint.
      const env = Object.fromEntries(spec.process.env.map((e: string) => e.split(/=(.*)/s)));
      const entry = (...args: string[]) =>
        sh("unshare", [
          "--mount",
          "--pid",
          "--fork",
          `--mount-proc=${rootfs}/proc`,
          "chroot",
          `--userspec=${IMAGE_USER}:${IMAGE_USER}`,
          rootfs,
          ...spec.process.args,
          ...args,
        ], env);
      const help = await entry("help");
      assert.equal(help.code, 0, help.err);
      assert.match(help.out, /Commands:\n\s+validate/);
      const validate = await entry("validate", "/tmp/bad.yaml");
      assert.equal(validate.code, 1, validate.err);
      assert.match(validate.out, /invalid: 31 objects in 1 file/);
      const render = await entry("render", "--help");
      assert.equal(render.code, 0, render.err);
      const operator = await entry("operator", "--help");
      assert.equal(operator.code, 0, operator.err);
      assert.match(operator.out, /--root-namespace/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
