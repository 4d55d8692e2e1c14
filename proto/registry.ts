/**
 * One shared protobufjs `Root` holding our `.proto` files and the Envoy, xds and Google protos
 * they import, loaded lazily: asking for a type loads the files of its package folder and their
 * imports (transitively), nothing else.
 *
 * @module
 */
import protobuf from "protobufjs";
import { includeRoots } from "./_include.ts";

/** The prefix of every type URL we produce. */
export const TYPE_URL_PREFIX = "type.googleapis.com/";

/** A message type, or the reason it could not be found. */
export type TypeLookup =
  | { readonly ok: true; readonly type: protobuf.Type }
  | { readonly ok: false; readonly reason: string };

const BUNDLED = [
  "any",
  "duration",
  "empty",
  "field_mask",
  "struct",
  "timestamp",
  "wrappers",
].map((n) => `google/protobuf/${n}.proto`);

/** Packages whose files do not live in the folder their name implies. */
const PACKAGE_FILES: Readonly<Record<string, readonly string[]>> = {
  "envoy.extensions.filters.network.kafka_broker.v3": ["envoy_contrib/kafka_broker.proto"],
  "envoy.tcp.metadataexchange.config": ["envoy_contrib/istio_metadata_exchange.proto"],
};

class Loader {
  readonly root = new protobuf.Root();
  readonly #files = new Set<string>();
  readonly #packages = new Set<string>();
  readonly #roots: readonly string[];

  constructor(roots: readonly string[]) {
    this.#roots = roots;
    for (const file of BUNDLED) this.loadFile(file);
    this.root.resolveAll();
  }

  /** Adds `file` (relative to an include root) and its imports; throws on a broken file. */
  loadFile(file: string): void {
    if (this.#files.has(file)) return;
    this.#files.add(file);
    const bundled = protobuf.common.get(file) as { nested?: protobuf.INamespace["nested"] } | null;
    if (bundled?.nested) {
      this.root.addJSON(bundled.nested);
      return;
    }
    const path = this.#roots.map((r) => `${r}/${file}`).find(isFile);
    if (path === undefined) throw new Error(`Cannot find "${file}" in the include folders`);
    const parsed = protobuf.parse(Deno.readTextFileSync(path), this.root, { keepCase: true });
    for (const dep of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
      this.loadFile(dep);
    }
  }

  /** Loads every file of `pkg`'s folder once; returns whether anything new was tried. */
  loadPackage(pkg: string): boolean {
    if (this.#packages.has(pkg)) return false;
    this.#packages.add(pkg);
    const files = PACKAGE_FILES[pkg] ?? this.#packageFolderFiles(pkg);
    for (const file of files) this.loadFile(file);
    if (files.length > 0) this.root.resolveAll();
    return files.length > 0;
  }

  #packageFolderFiles(pkg: string): string[] {
    if (pkg === "google.protobuf") return [];
    const dir = pkg.replaceAll(".", "/");
    const out: string[] = [];
    for (const root of this.#roots) {
      try {
        for (const entry of Deno.readDirSync(`${root}/${dir}`)) {
          if (entry.isFile && entry.name.endsWith(".proto")) out.push(`${dir}/${entry.name}`);
        }
      } catch {
        // Not every include root has every package folder.
      }
    }
    return out.sort();
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

let loader: Loader | undefined;
let loaderError: string | undefined;

function getLoader(): Loader | string {
  if (loader) return loader;
  if (loaderError) return loaderError;
  const roots = includeRoots();
  if (!roots.ok) return (loaderError = roots.reason);
  try {
    loader = new Loader(roots.roots);
    return loader;
  } catch (e) {
    return (loaderError = `Cannot load the bundled protos: ${errorText(e)}`);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function find(root: protobuf.Root, name: string): protobuf.ReflectionObject | null {
  try {
    return root.lookup(`.${name}`);
  } catch {
    return null;
  }
}

/** The type URL of a message: `type.googleapis.com/<full name>`. */
export function typeUrl(name: string): string {
  return TYPE_URL_PREFIX + typeNameOf(name);
}

/**
 * The full message name in a type URL or name: the part after the last `/`, without a
 * leading dot.
 *
 * @example
 * ```ts
 * import { typeNameOf } from "./registry.ts";
 * typeNameOf("type.googleapis.com/envoy.config.cluster.v3.Cluster"); // "envoy.config.cluster.v3.Cluster"
 * ```
 */
export function typeNameOf(typeUrlOrName: string): string {
  return typeUrlOrName.slice(typeUrlOrName.lastIndexOf("/") + 1).replace(/^\./, "");
}

/** Finds (loading its package on first use) a message or enum by full name; never throws. */
export function lookupReflection(
  typeUrlOrName: string,
): { ok: true; found: protobuf.Type | protobuf.Enum } | { ok: false; reason: string } {
  const name = typeNameOf(typeUrlOrName);
  const l = getLoader();
  if (typeof l === "string") return { ok: false, reason: l };
  const parts = name.split(".");
  for (let i = parts.length; i >= 1; i--) {
    if (i < parts.length) {
      try {
        if (!l.loadPackage(parts.slice(0, i).join("."))) continue;
      } catch (e) {
        return { ok: false, reason: `Cannot load protos for "${name}": ${errorText(e)}` };
      }
    }
    const found = find(l.root, name);
    if (found instanceof protobuf.Type || found instanceof protobuf.Enum) {
      return { ok: true, found };
    }
  }
  return { ok: false, reason: `Unknown message type "${name}"` };
}

/** Resolves a message type by type URL or full name, with a reason when it is unknown. */
export function resolveType(typeUrlOrName: string): TypeLookup {
  const r = lookupReflection(typeUrlOrName);
  if (!r.ok) return r;
  if (r.found instanceof protobuf.Type) return { ok: true, type: r.found };
  return { ok: false, reason: `Cannot use enum "${typeNameOf(typeUrlOrName)}" as a message type` };
}

/**
 * The protobufjs message type for a type URL or full name (field names as in the `.proto`
 * files, snake_case), or `undefined` when no loaded or loadable file defines it.
 *
 * @example
 * ```ts
 * import { lookupType } from "./registry.ts";
 * const t = lookupType("aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy");
 * t?.fields.protocol.id; // 12
 * ```
 */
export function lookupType(typeUrlOrName: string): protobuf.Type | undefined {
  const r = resolveType(typeUrlOrName);
  return r.ok ? r.type : undefined;
}
