/**
 * One reload of `aeraki local`: read the folder, build the config, and — only when it is
 * valid — publish it to the xDS cache, from which the proxy takes every change over xDS.
 * An invalid config changes nothing and its problems are logged. Reloads never overlap.
 *
 * @module
 */
import type { ProxyResources } from "../generate/mod.ts";
import type { FileSource } from "./file_source.ts";
import type { LocalConfigBuilder } from "./local_config.ts";
import type { LocalProxy } from "./local_proxy.ts";

/** The outcome of one reload. */
export interface ReloadResult {
  /** The config was applied (or was already in force). */
  readonly ok: boolean;
  /** Problems that kept the last good config, as `aeraki validate` prints them. */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** The xDS snapshot version in force after the reload. */
  readonly version: string;
  /** How many reloads have finished, this one included. */
  readonly count: number;
  /** Time from the start of the reload to the config being published (ms). */
  readonly durationMs: number;
  /** When the reload started (`performance.now()`), to time the watch and debounce. */
  readonly startedAt?: number;
}

/** What a {@link Reloader} works with. */
export interface ReloaderParts {
  readonly source: FileSource;
  readonly builder: LocalConfigBuilder;
  readonly proxy: Pick<LocalProxy, "apply">;
  /** Makes `resources` the snapshot every node sees; returns its version and encode problems. */
  readonly publish: (resources: ProxyResources) => { version: string; problems: readonly string[] };
  readonly log: (line: string) => void;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Serialized reloads of one folder. */
export class Reloader {
  readonly #parts: ReloaderParts;
  #last: ReloadResult = {
    ok: false,
    problems: [],
    warnings: [],
    version: "",
    count: 0,
    durationMs: 0,
  };
  #chain: Promise<unknown> = Promise.resolve();

  /** A reloader; nothing is read before {@link reload}. */
  constructor(parts: ReloaderParts) {
    this.#parts = parts;
  }

  /** The result of the latest finished reload. */
  get last(): ReloadResult {
    return this.#last;
  }

  /** Reloads after any reload in progress; never rejects. */
  reload(): Promise<ReloadResult> {
    const run = this.#chain.then(() => this.#once()).then((r) => this.#last = r);
    this.#chain = run.catch(() => {});
    return run;
  }

  async #once(): Promise<ReloadResult> {
    const { source, builder, proxy, publish, log } = this.#parts;
    const started = performance.now();
    const config = builder.build(await source.read());
    for (const w of config.warnings) log(w);
    const kept = (problems: readonly string[]): ReloadResult => ({
      ok: false,
      problems,
      warnings: config.warnings,
      version: this.#last.version,
      count: this.#last.count + 1,
      durationMs: performance.now() - started,
    });
    if (!config.ok) {
      const list = config.problems.join("\n  ");
      log(
        `Kept the last good config: fix ${plural(config.problems.length, "problem")}:\n  ${list}`,
      );
      return kept(config.problems);
    }
    const published = publish(config.resources);
    const durationMs = performance.now() - started;
    for (const p of published.problems) log(p);
    try {
      if (await proxy.apply()) {
        const names = config.resources.listeners.map((l) => l.name).join(", ");
        log(`Proxy listening: ${names || "no listeners"}`);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(message);
      return kept([message]);
    }
    log(`Applied ${plural(config.objects, "object")} (version ${published.version})`);
    return {
      ok: true,
      problems: [],
      warnings: config.warnings,
      version: published.version,
      count: this.#last.count + 1,
      durationMs,
      startedAt: started,
    };
  }
}
