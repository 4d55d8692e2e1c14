/**
 * `deno task image`: builds the operator's OCI image without a Docker daemon, from scratch,
 * with Debian's `umoci`, and writes it as an OCI layout tarball (`dist/aeraki-image.tar`,
 * tag {@link IMAGE_TAG}).
 *
 * What is in it: the Deno binary this task runs with (the npm package `deno@2.9.6`), the
 * `aeraki` CLI bundled with its npm dependencies into one JavaScript file (`deno bundle`, so
 * nothing is fetched at run time), the C libraries that binary links (taken from the build
 * machine by `ldd`), `/etc/passwd` with the non-root user 65532, and an empty `/tmp`. No
 * shell. The entrypoint runs the bundle, so `docker run IMAGE help` and the install's
 * `args: [operator, ...]` reach the `aeraki` CLI.
 *
 * Why not `deno compile`: it needs Deno's `denort` runtime, which is not on npm and cannot be
 * downloaded here.
 *
 * @module
 */
import { DEFAULT_OPERATOR_IMAGE, OPERATOR_PORTS } from "../constructs/mod.ts";

/** The image tag, the version of the install's default image. */
export const IMAGE_TAG: string = DEFAULT_OPERATOR_IMAGE.slice(
  DEFAULT_OPERATOR_IMAGE.lastIndexOf(":") + 1,
);
/** Where the bundle of the CLI lives in the image. */
export const BUNDLE_PATH = "/usr/local/lib/aeraki/aeraki.js";
/** Where the Deno binary lives in the image. */
export const DENO_PATH = "/usr/local/bin/deno";
/** The user the image runs as (distroless's `nonroot`). */
export const IMAGE_USER = 65532;

/** The image's entrypoint: Deno running the bundled `aeraki` CLI with all permissions. */
export const ENTRYPOINT: readonly string[] = [
  DENO_PATH,
  "run",
  "--allow-all",
  "--no-config",
  "--no-lock",
  "--no-prompt",
  "--cached-only",
  BUNDLE_PATH,
];

/** A build step failed. */
export class ImageBuildError extends Error {
  override readonly name = "ImageBuildError";
}

/** Options of {@link buildImage}. */
export interface BuildImageOptions {
  /** The tarball to write. @default "dist/aeraki-image.tar" */
  readonly output?: string;
  /** The project root. @default the folder above deploy/ */
  readonly root?: string;
  /** The Deno binary to put in the image. @default the one running this */
  readonly deno?: string;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

async function run(cmd: string, args: readonly string[], cwd?: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args: [...args], cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    const hint = cmd === "umoci" ? " (install it: PEERS=umoci bash _tools/install_peers.sh)" : "";
    throw new ImageBuildError(`Cannot run "${cmd}"${hint}: ${e instanceof Error ? e.message : e}`);
  }
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) {
    throw new ImageBuildError(
      `Cannot build the image: "${cmd} ${args.join(" ")}" failed: ${text(out.stderr).trim()}`,
    );
  }
  return text(out.stdout);
}

/** The shared libraries `binary` loads, as absolute paths (from `ldd`). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const out = await run("ldd", [binary]);
  const libs = out.split("\n").flatMap((line) => {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    return m ? [m[1]] : [];
  });
  return [...new Set(libs)].sort();
}

async function copyInto(rootfs: string, from: string, to: string, mode?: number): Promise<void> {
  const target = `${rootfs}${to}`;
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(from, target);
  if (mode !== undefined) await Deno.chmod(target, mode);
}

/** Lays out the image's root file system in `rootfs`. */
async function stageRootfs(rootfs: string, deno: string, bundle: string): Promise<void> {
  await copyInto(rootfs, deno, DENO_PATH, 0o755);
  await copyInto(rootfs, bundle, BUNDLE_PATH, 0o644);
  for (const lib of await sharedLibraries(deno)) {
    await copyInto(rootfs, await Deno.realPath(lib), lib, 0o755);
  }
  await Deno.mkdir(`${rootfs}/etc`, { recursive: true });
  await Deno.writeTextFile(
    `${rootfs}/etc/passwd`,
    `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${IMAGE_USER}:${IMAGE_USER}:nonroot:/home/nonroot:/sbin/nologin\n`,
  );
  await Deno.writeTextFile(`${rootfs}/etc/group`, `root:x:0:\nnonroot:x:${IMAGE_USER}:\n`);
  await Deno.writeTextFile(`${rootfs}/etc/nsswitch.conf`, "hosts: files dns\n");
  await Deno.mkdir(`${rootfs}/home/nonroot`, { recursive: true });
  await Deno.chown(`${rootfs}/home/nonroot`, IMAGE_USER, IMAGE_USER).catch(() => {});
  await Deno.mkdir(`${rootfs}/tmp`, { recursive: true });
  await Deno.chmod(`${rootfs}/tmp`, 0o1777);
  // Mount points a runtime fills (Deno needs /proc).
  for (const dir of ["proc", "dev", "sys"]) await Deno.mkdir(`${rootfs}/${dir}`);
}

function configArgs(): string[] {
  const args = [
    `--config.user=${IMAGE_USER}:${IMAGE_USER}`,
    "--config.workingdir=/home/nonroot",
    "--config.env=HOME=/home/nonroot",
    "--config.env=DENO_DIR=/tmp/deno",
    "--config.env=DENO_NO_UPDATE_CHECK=1",
    "--os=linux",
    "--architecture=amd64",
    "--author=Aeraki for Deno",
    `--config.label=org.opencontainers.image.version=${IMAGE_TAG}`,
    `--config.label=org.opencontainers.image.title=aeraki`,
  ];
  for (const part of ENTRYPOINT) args.push(`--config.entrypoint=${part}`);
  for (const port of Object.values(OPERATOR_PORTS)) args.push(`--config.exposedports=${port}/tcp`);
  return args;
}

/**
 * Builds the image and writes the OCI layout tarball; resolves to its path.
 * Needs `umoci`, `ldd` and `tar` on the build machine, and the npm registry for the bundler.
 */
export async function buildImage(options: BuildImageOptions = {}): Promise<string> {
  const root = options.root ?? new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const output = options.output ?? `${root}/dist/aeraki-image.tar`;
  const deno = options.deno ?? Deno.execPath();
  const log = options.log ?? (() => {});
  const work = await Deno.makeTempDir({ prefix: "aeraki-image-" });
  try {
    const bundle = `${work}/aeraki.js`;
    log(`bundling operator/cli/main.ts`);
    await run(deno, [
      "bundle",
      "--quiet",
      "--platform=deno",
      "--output",
      bundle,
      "operator/cli/main.ts",
    ], root);
    const rootfs = `${work}/rootfs`;
    await stageRootfs(rootfs, deno, bundle);
    const layout = `${work}/layout`;
    const image = `${layout}:${IMAGE_TAG}`;
    log(`writing the layer with umoci`);
    await run("umoci", ["init", "--layout", layout]);
    await run("umoci", ["new", "--image", image]);
    await run("umoci", [
      "insert",
      "--image",
      image,
      "--history.created_by=deno task image",
      rootfs,
      "/",
    ]);
    await run("umoci", ["config", "--image", image, ...configArgs()]);
    await run("umoci", ["gc", "--layout", layout]);
    await Deno.mkdir(output.slice(0, output.lastIndexOf("/")) || ".", { recursive: true });
    await run("tar", [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "-C",
      layout,
      "-cf",
      output,
      ".",
    ]);
    log(`wrote ${output} (${IMAGE_TAG})`);
    return output;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await buildImage({ log: (l) => console.error(l) });
  } catch (e) {
    console.error(e instanceof ImageBuildError ? e.message : e);
    Deno.exit(1);
  }
}
