/**
 * From the files of an `aeraki local` folder to our proxy's xDS resources: each file's
 * objects decoded once into a partial snapshot (cached by file contents), the partials merged
 * in path order into one snapshot whose lists keep their identity while their members do,
 * then the same generator the operator runs. Any problem — in a file or across objects —
 * makes the whole result invalid, so the caller keeps serving its last good one.
 *
 * @module
 */
import { parse } from "yaml";
import {
  EMPTY_SNAPSHOT,
  type GenerateProblem,
  type MeshSnapshot,
  ProxyGenerator,
  type ProxyResources,
  snapshotFromObjects,
} from "../generate/mod.ts";
import type { SourceRead } from "./file_source.ts";
import { danglingRoutes } from "./_dangling_routes.ts";
import type { FileContents } from "./source_file.ts";

/** The outcome of one build: resources to serve, or the problems that block them. */
export type LocalConfig =
  | {
    readonly ok: true;
    readonly resources: ProxyResources;
    /** Warnings to print; they do not block. */
    readonly warnings: readonly string[];
    readonly objects: number;
  }
  | {
    readonly ok: false;
    readonly problems: readonly string[];
    readonly warnings: readonly string[];
  };

type Lists = Record<string, readonly unknown[]>;

/** A generator problem in the words of `aeraki validate`, with the file it comes from. */
export function formatGenerateProblem(
  p: GenerateProblem,
  origins: ReadonlyMap<string, string>,
): string {
  const where = origins.get(p.object) ?? "<generated>";
  return `${where}: ${p.object}: ${p.field ? `${p.field}: ` : ""}${p.message}`;
}

function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Builds configs from successive reads of one folder. Keeps the generator's memo and the
 * previous snapshot's lists between builds; not safe to share between concurrent callers.
 */
export class LocalConfigBuilder {
  readonly #generator = new ProxyGenerator();
  readonly #partials = new WeakMap<FileContents, MeshSnapshot>();
  #lists: Lists = {};

  #partial(file: FileContents): MeshSnapshot {
    let partial = this.#partials.get(file);
    if (!partial) {
      partial = snapshotFromObjects(file.objects.map((o) => o.object), { parseYaml: parse })
        .snapshot;
      this.#partials.set(file, partial);
    }
    return partial;
  }

  #merge(files: readonly FileContents[]): MeshSnapshot {
    const partials = files.map((f) => this.#partial(f));
    const lists: Lists = {};
    for (const key of Object.keys(EMPTY_SNAPSHOT)) {
      const merged = partials.flatMap((p) => (p as unknown as Lists)[key] ?? []);
      const prev = this.#lists[key];
      lists[key] = prev && sameMembers(prev, merged) ? prev : merged;
    }
    this.#lists = lists;
    const meshConfig = partials.findLast((p) => p.meshConfig)?.meshConfig;
    return { ...lists, ...(meshConfig ? { meshConfig } : {}) } as unknown as MeshSnapshot;
  }

  /** The config of `read`; never throws. */
  build(read: SourceRead): LocalConfig {
    const warnings = read.files.flatMap((f) => f.warnings);
    const fileProblems = read.files.flatMap((f) => f.problems);
    if (fileProblems.length > 0) return { ok: false, problems: fileProblems, warnings };
    const snapshot = this.#merge(read.files);
    const resources = this.#generator.generate(snapshot);
    const found = [...resources.problems, ...danglingRoutes(snapshot, resources)];
    if (found.length > 0) {
      const problems = found.map((p) => formatGenerateProblem(p, read.origins));
      return { ok: false, problems, warnings };
    }
    const objects = read.files.reduce((n, f) => n + f.objects.length, 0);
    return { ok: true, resources, warnings, objects };
  }
}
