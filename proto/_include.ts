/**
 * Finds the folders that `.proto` imports resolve against: ours (this folder) and the
 * Envoy, xds, googleapis and protoc-gen-validate trees shipped by `@grpc/grpc-js-xds` under
 * `deps/`, plus protobufjs' own `google/protobuf/descriptor.proto` (custom options need it).
 *
 * The npm packages live in `node_modules/` (deno.json sets `nodeModulesDir: auto`), so we walk
 * up from this module's folder and from the working directory until one has them.
 *
 * @module
 */

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

function ancestors(start: string): string[] {
  const out: string[] = [];
  let dir = start.replace(/\/+$/, "") || "/";
  for (;;) {
    out.push(dir);
    const parent = dir.slice(0, dir.lastIndexOf("/")) || "/";
    if (parent === dir) return out;
    dir = parent;
  }
}

function findNodeModules(starts: readonly string[]): string | undefined {
  for (const start of starts) {
    for (const dir of ancestors(start)) {
      const candidate = `${dir}/node_modules`;
      if (isDir(`${candidate}/@grpc/grpc-js-xds/deps/envoy-api`)) return candidate;
    }
  }
  return undefined;
}

/** Resolves the include folders; never throws. */
export function includeRoots(): IncludeRoots {
  const here = moduleDir();
  if (here === undefined) {
    return { ok: false, reason: `Cannot read protos: module "${import.meta.url}" is not a file` };
  }
  let cwd: string | undefined;
  try {
    cwd = Deno.cwd();
  } catch {
    cwd = undefined;
  }
  const nodeModules = findNodeModules(cwd === undefined ? [here] : [here, cwd]);
  if (nodeModules === undefined) {
    return {
      ok: false,
      reason: `Cannot find "node_modules/@grpc/grpc-js-xds/deps" above "${here}": ` +
        "install the npm dependencies (nodeModulesDir) and allow reading them",
    };
  }
  const deps = XDS_DEPS.map((d) => `${nodeModules}/@grpc/grpc-js-xds/deps/${d}`);
  const roots = [here, ...deps, `${nodeModules}/protobufjs`].filter(isDir);
  return { ok: true, roots };
}
