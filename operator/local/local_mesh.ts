/**
 * `aeraki local` as one scoped Effect: the xDS server, the proxy (an xDS client of it), the
 * folder watcher and the live view, acquired in that order and released in reverse when the
 * scope closes (interruption on SIGINT/SIGTERM closes it). Each debounced change of the folder
 * re-reads it, regenerates, and — when everything is valid — publishes the new snapshot; when
 * anything is invalid the last good config stays in force and the problems are printed.
 *
 * @module
 */
import { Context, Data, Effect, Layer, type Scope } from "effect";
import {
  XdsCache,
  XdsCacheLive,
  XdsServer,
  type XdsServerError,
  XdsServerLive,
} from "../xds/mod.ts";
import { FileSource } from "./file_source.ts";
import { LiveCounters } from "./live_view.ts";
import { LocalConfigBuilder } from "./local_config.ts";
import { LocalProxy } from "./local_proxy.ts";
import { watchFolder } from "./watch.ts";

/** The folder cannot be watched or read at start. */
export class LocalMeshError extends Data.TaggedError("LocalMeshError")<{
  readonly message: string;
  readonly cause?: unknown;
}> {}

/** The outcome of one reload. */
export interface ReloadResult {
  /** The config was applied (or was already in force). */
  readonly ok: boolean;
  /** Problems that kept the last good config, as `aeraki validate` prints them. */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** The xDS snapshot's route version in force after the reload. */
  readonly version: string;
  /** How many reloads ran before this one finished (1 for the first). */
  readonly count: number;
}

/** Options of {@link localMesh}. */
export interface LocalMeshOptions {
  /** Port of the xDS server on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly xdsPort?: number;
  /** Quiet time after the last file event before reloading (ms). @default 20 */
  readonly debounceMs?: number;
  /** Where applied configs, problems and proxy events are written. @default console.error */
  readonly log?: (line: string) => void;
  /** Watch the folder. @default true */
  readonly watch?: boolean;
  /** Where requests are counted (e.g. shared with a live view). @default new counters */
  readonly counters?: LiveCounters;
}

/** A running local mesh. */
export interface LocalMesh {
  /** The xDS server's port on 127.0.0.1. */
  readonly xdsPort: number;
  /** The proxy runner (its current handle, restarts, stats). */
  readonly proxy: LocalProxy;
  /** Per route and per subset request counts. */
  readonly counters: LiveCounters;
  /** Re-reads the folder now; reloads never overlap. */
  readonly reload: () => Promise<ReloadResult>;
  /** The result of the latest reload. */
  readonly last: () => ReloadResult;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Runs a local mesh from the files under `dir` until the scope closes. The first reload has
 * finished when this succeeds (valid or not).
 */
export function localMesh(
  dir: string,
  options: LocalMeshOptions = {},
): Effect.Effect<LocalMesh, LocalMeshError | XdsServerError, Scope.Scope> {
  return Effect.gen(function* () {
    const log = options.log ?? ((line: string) => console.error(line));
    yield* Effect.tryPromise({
      try: () => Deno.stat(dir),
      catch: (cause) =>
        new LocalMeshError({
          message: `Cannot read the folder "${dir}": ${
            cause instanceof Error ? cause.message : cause
          }`,
          cause,
        }),
    });
    const services = yield* Layer.build(
      XdsServerLive({ host: "127.0.0.1", port: options.xdsPort ?? 0 }).pipe(
        Layer.provideMerge(XdsCacheLive),
      ),
    );
    const cache = Context.get(services, XdsCache);
    const xdsPort = Context.get(services, XdsServer).port;
    const counters = options.counters ?? new LiveCounters();
    const proxy = yield* Effect.acquireRelease(
      Effect.sync(() => new LocalProxy({ xdsPort, log, onRequest: counters.record })),
      (p) => Effect.promise(() => p.close()),
    );
    const source = new FileSource(dir);
    const builder = new LocalConfigBuilder();
    let last: ReloadResult = { ok: false, problems: [], warnings: [], version: "", count: 0 };
    const once = async (): Promise<ReloadResult> => {
      const config = builder.build(await source.read());
      for (const w of config.warnings) log(w);
      const count = last.count + 1;
      if (!config.ok) {
        log(
          `Kept the last good config: fix ${plural(config.problems.length, "problem")}:\n  ${
            config.problems.join("\n  ")
          }`,
        );
        return {
          ok: false,
          problems: config.problems,
          warnings: config.warnings,
          version: last.version,
          count,
        };
      }
      const snapshot = Effect.runSync(cache.publish(config.resources));
      for (const p of snapshot.problems) log(p.message);
      try {
        if (await proxy.apply(config.resources)) {
          const r = config.resources;
          log(
            `Proxy listening: ${r.listeners.map((l) => l.name).join(", ") || "no listeners"} (${
              plural(r.clusters.length, "cluster")
            })`,
          );
        }
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log(message);
        return {
          ok: false,
          problems: [message],
          warnings: config.warnings,
          version: last.version,
          count,
        };
      }
      const version = snapshot.version;
      log(`Applied ${plural(config.objects, "object")} (version ${version})`);
      return { ok: true, problems: [], warnings: config.warnings, version, count };
    };
    let chain: Promise<unknown> = Promise.resolve();
    const reload = () => {
      const run = chain.then(once).then((r) => last = r);
      chain = run.catch(() => {});
      return run;
    };
    yield* Effect.promise(reload);
    if (options.watch ?? true) {
      yield* watchFolder(dir, { debounceMs: options.debounceMs ?? 20, onChange: reload });
    }
    return { xdsPort, proxy, counters, reload, last: () => last };
  });
}
