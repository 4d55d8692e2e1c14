/**
 * The folder watcher of `aeraki local`: `Deno.watchFs` over the folder, debounced, as a
 * scoped resource — the watcher closes and the pending timer is cleared when the scope
 * closes.
 *
 * @module
 */
import { Effect, type Scope } from "effect";

/** Options of {@link watchFolder}. */
export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs (ms). */
  readonly debounceMs: number;
  /** Runs after a burst of changes; its rejections are ignored (it reports its own). */
  readonly onChange: () => Promise<unknown>;
}

/**
 * Whether a changed path cannot change the config: hidden files (an editor's temporary file
 * before its rename) and anything under `node_modules`, which the file source skips. Their
 * events would only re-arm the debounce and delay the reload.
 */
function ignored(path: string): boolean {
  const parts = path.split(/[\\/]/);
  return parts.at(-1)?.startsWith(".") === true || parts.includes("node_modules");
}

/** Watches `dir` recursively until the scope closes. */
export function watchFolder(
  dir: string,
  options: WatchOptions,
): Effect.Effect<void, never, Scope.Scope> {
  return Effect.gen(function* () {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watcher = yield* Effect.acquireRelease(
      Effect.sync(() => Deno.watchFs(dir, { recursive: true })),
      (w) =>
        Effect.sync(() => {
          clearTimeout(timer);
          w.close();
        }),
    );
    const fire = () => {
      timer = undefined;
      options.onChange().catch(() => {});
    };
    const loop = async () => {
      for await (const event of watcher) {
        if (event.kind === "access" || event.paths.every(ignored)) continue;
        clearTimeout(timer);
        timer = setTimeout(fire, options.debounceMs);
      }
    };
    yield* Effect.forkScoped(Effect.promise(loop));
  });
}
