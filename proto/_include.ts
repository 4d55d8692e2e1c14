/**
 * Finds the folders that `.proto` imports resolve against: ours (this folder) and the
 * Envoy, xds, googleapis and protoc-gen-validate trees shipped by `@grpc/grpc-js-xds` under
 * `deps/`, plus protobufjs' own `google/protobuf/descriptor.proto` (custom options need it).
 *
 * The npm packages are found by module resolution (`import.meta.resolve`, else Node's
 * `require.resolve`), as an import of them would be, so the protos are read wherever the
 * runtime keeps the packages: a local `node_modules/`, Deno's global cache, or the files
 * embedded in a compiled or vendored image. Nothing walks directories looking for them.
 *
 * @module
 */
import { createRequire } from "node:module";

/** Include folders in lookup order, or a reason why they could not be found. */
export type IncludeRoots =
  | { readonly ok: true; readonly roots: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const XDS_DEPS = ["envoy-api", "xds", "googleapis", "protoc-gen-validate"];

/** The folder of this module on disk, or `undefined` when it was not loaded from a file. */
export function moduleDir(): string | undefined {
  const url = new URL(".", import.meta.url);
  if (url.protocol !== "file:") return undefined;
  return decodeURIComponent(url.pathname).replace(/\/$/, "");
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The folder of npm package `name` as module resolution finds it (from its `package.json`), or
 * why it cannot be found.
 */
export function packageDir(name: string): { dir: string } | { reason: string } {
  const spec = `${name}/package.json`;
  const reasons: string[] = [];
  try {
    const url = new URL(import.meta.resolve(spec));
    if (url.protocol === "file:") {
      return { dir: decodeURIComponent(url.pathname).replace(/\/package\.json$/, "") };
    }
    reasons.push(`import.meta.resolve gave "${url.href}"`);
  } catch (e) {
    reasons.push(errorText(e));
  }
  try {
    const path = createRequire(import.meta.url).resolve(spec);
    return { dir: path.replace(/[/\\]package\.json$/, "") };
  } catch (e) {
    reasons.push(errorText(e));
  }
  return { reason: `Cannot resolve "${spec}": ${reasons.join("; ")}` };
}

/** Resolves the include folders; never throws. */
export function includeRoots(): IncludeRoots {
  const here = moduleDir();
  if (here === undefined) {
    return { ok: false, reason: `Cannot read protos: module "${import.meta.url}" is not a file` };
  }
  const xds = packageDir("@grpc/grpc-js-xds");
  const protobufjs = packageDir("protobufjs");
  if ("reason" in xds) {
    return {
      ok: false,
      reason: `${xds.reason}: install the npm dependencies and allow reading them`,
    };
  }
  const deps = XDS_DEPS.map((d) => `${xds.dir}/deps/${d}`);
  if (!isDir(deps[0])) {
    return { ok: false, reason: `Cannot read the Envoy protos: "${deps[0]}" is not a folder` };
  }
  const roots = [here, ...deps, ...("dir" in protobufjs ? [protobufjs.dir] : [])].filter(isDir);
  return { ok: true, roots };
}
