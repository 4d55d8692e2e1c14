/**
 * The lazily filled protobufjs root behind `registry.ts`. Files are parsed with their original
 * (snake_case) field names; imports resolve against the include folders of `_include.ts`, and
 * protobufjs' bundled copies serve the common `google/protobuf/*.proto` files.
 *
 * The `deps/` trees of `@grpc/grpc-js-xds` are partial (some v2 files import files that are not
 * shipped), so a package folder is loaded transactionally: files whose imports are missing are
 * skipped, and a load that leaves unresolvable types is rolled back by rebuilding the root from
 * the files that were good, so one broken package never poisons later lookups.
 *
 * @module
 */
import protobuf from "protobufjs";

const BUNDLED = ["any", "duration", "empty", "field_mask", "struct", "timestamp", "wrappers"]
  .map((n) => `google/protobuf/${n}.proto`);

/** Packages whose files do not live in the folder their name implies. */
const PACKAGE_FILES: Readonly<Record<string, readonly string[]>> = {
  "envoy.extensions.filters.network.kafka_broker.v3": ["envoy_contrib/kafka_broker.proto"],
  "envoy.tcp.metadataexchange.config": ["envoy_contrib/istio_metadata_exchange.proto"],
};

const IMPORT = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isBundled(file: string): boolean {
  return protobuf.common.get(file) !== null;
}

/** The result of loading one package folder. */
export interface PackageLoad {
  /** Whether any file of the package was newly added. */
  readonly loaded: boolean;
  /** Why some of its files could not be loaded, if any. */
  readonly error?: string;
}

/** One protobufjs root plus the bookkeeping to fill it on demand. */
export class Loader {
  root = new protobuf.Root();
  readonly #roots: readonly string[];
  #files: string[] = [];
  readonly #packages = new Map<string, string | undefined>();
  readonly #missing = new Map<string, string | null>();

  /** `roots` are the include folders, searched in order. */
  constructor(roots: readonly string[]) {
    this.#roots = roots;
    this.#reset([]);
  }

  #path(file: string): string | undefined {
    for (const root of this.#roots) {
      try {
        if (Deno.statSync(`${root}/${file}`).isFile) return `${root}/${file}`;
      } catch {
        // Try the next include folder.
      }
    }
    return undefined;
  }

  /** The first file in `file`'s import closure that cannot be found, or `null`. */
  #missingImport(file: string, visiting = new Set<string>()): string | null {
    const cached = this.#missing.get(file);
    if (cached !== undefined) return cached;
    if (isBundled(file) || visiting.has(file)) return null;
    visiting.add(file);
    const path = this.#path(file);
    let missing: string | null = path === undefined ? file : null;
    if (path !== undefined) {
      for (const [, dep] of Deno.readTextFileSync(path).matchAll(IMPORT)) {
        missing = this.#missingImport(dep, visiting);
        if (missing !== null) break;
      }
    }
    this.#missing.set(file, missing);
    return missing;
  }

  #add(file: string): void {
    if (this.#files.includes(file)) return;
    this.#files.push(file);
    const bundled = protobuf.common.get(file) as { nested?: protobuf.INamespace["nested"] } | null;
    if (bundled?.nested) {
      this.root.addJSON(bundled.nested);
      return;
    }
    const path = this.#path(file);
    if (path === undefined) throw new Error(`Cannot find "${file}" in the include folders`);
    const parsed = protobuf.parse(Deno.readTextFileSync(path), this.root, { keepCase: true });
    for (const dep of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) this.#add(dep);
  }

  #reset(files: readonly string[]): void {
    this.root = new protobuf.Root();
    this.#files = [];
    for (const file of [...BUNDLED, ...files]) this.#add(file);
    this.root.resolveAll();
  }

  /** Adds `files` and their imports, or rolls back and returns why not. */
  #tryAdd(files: readonly string[]): string | undefined {
    const before = [...this.#files];
    try {
      for (const file of files) this.#add(file);
      this.root.resolveAll();
      return undefined;
    } catch (e) {
      this.#reset(before);
      return errorText(e);
    }
  }

  /** Loads the files of `pkg`'s folder (once); never throws. */
  loadPackage(pkg: string): PackageLoad {
    if (this.#packages.has(pkg)) return { loaded: false, error: this.#packages.get(pkg) };
    const all = PACKAGE_FILES[pkg] ?? this.#packageFolderFiles(pkg);
    const skipped = all.flatMap((f) => {
      const missing = this.#missingImport(f);
      return missing === null ? [] : [`"${f}" imports missing "${missing}"`];
    });
    const files = all.filter((f) => this.#missingImport(f) === null);
    let error = skipped.length > 0 ? `Cannot load ${skipped.join(", ")}` : undefined;
    if (files.length > 0 && this.#tryAdd(files) !== undefined) {
      // Keep the good files of the package when only some are broken.
      for (const file of files) error = this.#tryAdd([file]) ?? error;
    }
    this.#packages.set(pkg, error);
    return { loaded: all.length > 0, error };
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
        // Not every include folder has every package folder.
      }
    }
    return out.sort();
  }
}
