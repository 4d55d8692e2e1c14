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
import { Reloader, type ReloadResult } from "./reloader.ts";
import { watchFolder } from "./watch.ts";

/** The folder cannot be watched or read at start. */
export class LocalMeshError extends Data.TaggedError("LocalMeshError")<{
  readonly message: string;
  readonly cause?: unknown;
}> {}

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
  /** The proxy subscribes with delta xDS instead of state of the world. @default false */
  readonly delta?: boolean;
}

/** A running local mesh. */
export interface LocalMesh {
  /** The xDS server's port on 127.0.0.1. */
  readonly xdsPort: number;
  /** The proxy runner (its handle and stats). */
  readonly proxy: LocalProxy;
  /** Per route and per subset request counts. */
  readonly counters: LiveCounters;
  /** Re-reads the folder now; reloads never overlap. */
  readonly reload: () => Promise<ReloadResult>;
  /** The result of the latest reload. */
  readonly last: () => ReloadResult;
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
      Effect.sync(() =>
        new LocalProxy({
          xdsPort,
          log,
          onRequest: counters.record,
          ...(options.delta ? { delta: true } : {}),
        })
      ),
      (p) => Effect.promise(() => p.close()),
    );
    const reloader = new Reloader({
      source: new FileSource(dir),
      builder: new LocalConfigBuilder(),
      proxy,
      publish: (resources) => {
        const snapshot = Effect.runSync(cache.publish(resources));
        return { version: snapshot.version, problems: snapshot.problems.map((p) => p.message) };
      },
      log,
    });
    const reload = () => reloader.reload();
    yield* Effect.promise(reload);
    if (options.watch ?? true) {
      yield* watchFolder(dir, { debounceMs: options.debounceMs ?? 20, onChange: reload });
    }
    return { xdsPort, proxy, counters, reload, last: () => reloader.last };
  });
}
