/**
 * The file source of `aeraki local`: every YAML file (and TypeScript chart) under a folder,
 * read into Kubernetes objects with where each came from, checked with the words of
 * `aeraki validate`. Files are cached by content, so a reload after an edit decodes only
 * the files that changed and unchanged objects keep their identity (the generator's memo
 * relies on it).
 *
 * @module
 */
import { objectLabel } from "../cli/validate.ts";
import { type ChartLoader, isChartFile, synthChartFile } from "./chart_file.ts";
import { type FileContents, readYamlText } from "./source_file.ts";

/** Everything read from the folder, files in path order. */
export interface SourceRead {
  readonly files: readonly FileContents[];
  /** `Kind/ns/name` → `file:doc#` of every object, for generator problems. */
  readonly origins: ReadonlyMap<string, string>;
}

/** Options of {@link FileSource}. */
export interface FileSourceOptions {
  /** Renders TypeScript charts. @default {@link synthChartFile} */
  readonly loadChart?: ChartLoader;
}

/**
 * The files of one folder, re-read on demand. A file whose text did not change since the last
 * read is not decoded again and hands back the same objects.
 */
export class FileSource {
  readonly dir: string;
  readonly #loadChart: ChartLoader;
  #cache = new Map<string, { text: string; contents: FileContents }>();
  #generation = 0;

  /** A source for the files under `dir`. */
  constructor(dir: string, options: FileSourceOptions = {}) {
    this.dir = dir.replace(/\/+$/, "") || "/";
    this.#loadChart = options.loadChart ?? synthChartFile;
  }

  /** Lists the YAML files and charts under the folder, sorted by path. */
  async files(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries: Deno.DirEntry[] = [];
      for await (const entry of Deno.readDir(dir)) entries.push(entry);
      for (const entry of entries) {
        if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
        const child = `${dir}/${entry.name}`;
        if (entry.isDirectory) await walk(child);
        else if (entry.isFile && (isYamlFile(entry.name) || isChartFile(entry.name))) {
          found.push(child);
        }
      }
    };
    await walk(this.dir);
    return found.sort();
  }

  /** Reads every file (unchanged ones from the cache); never throws. */
  async read(): Promise<SourceRead> {
    const files: FileContents[] = [];
    const cache = new Map<string, { text: string; contents: FileContents }>();
    this.#generation++;
    for (const file of await this.files()) {
      const contents = await this.#readFile(file, cache);
      if (contents) files.push(contents);
    }
    this.#cache = cache;
    const origins = new Map<string, string>();
    for (const f of files) {
      for (const o of f.objects) origins.set(objectRef(o.object), o.where);
    }
    return { files, origins };
  }

  async #readFile(
    file: string,
    cache: Map<string, { text: string; contents: FileContents }>,
  ): Promise<FileContents | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      // Deleted between the listing and the read: the next event reloads again.
      if (e instanceof Deno.errors.NotFound) return undefined;
      const message = e instanceof Error ? e.message : String(e);
      return {
        file,
        objects: [],
        problems: [`${file}: Cannot read the file: ${message}`],
        warnings: [],
      };
    }
    const prev = this.#cache.get(file);
    // Charts import other modules, so they are rendered again on every read.
    if (prev && prev.text === text && !isChartFile(file)) {
      cache.set(file, prev);
      return prev.contents;
    }
    const contents = isChartFile(file)
      ? await this.#loadChart(file, this.#generation)
      : readYamlText(file, text);
    cache.set(file, { text, contents });
    return contents;
  }
}

function isYamlFile(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** `Kind/namespace/name` as generator problems name objects. */
export function objectRef(object: unknown): string {
  return objectLabel(object);
}
