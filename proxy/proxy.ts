/**
 * The programmatic entry: {@link startProxy} opens the listeners of a {@link ProxyModel}
 * and returns a {@link ProxyHandle}; {@link proxyScoped} does the same as an Effect whose
 * Scope closes the proxy. The lifecycle (binding, draining, closing) is Effect-managed; the
 * per-message path is plain synchronous TypeScript.
 *
 * @module
 */
import { Cause, Data, Effect, Exit, Scope } from "effect";
import type { Codec } from "../codecs/codec.ts";
import { defaultRegistry } from "../codecs/registry.ts";
import type {
  ClusterModel,
  EndpointStatus,
  ListenerModel,
  ProxyHandle,
  ProxyModel,
  ProxyOptions,
  RouteTableModel,
} from "./config/model.ts";
import { ProxyCore } from "./core.ts";
import { ListenerManager } from "./listener_manager.ts";
import { MemoryStats } from "./stats.ts";

/** The proxy could not start: a listener could not bind, or the model is inconsistent. */
export class ProxyStartError extends Data.TaggedError("ProxyStartError")<{
  readonly message: string;
  readonly cause?: unknown;
}> {}

/** Options of {@link startProxy} beyond {@link ProxyOptions}. */
export interface StartProxyOptions extends ProxyOptions {
  /** Codecs by registry name; default the built-in ones. */
  readonly codecs?: ReadonlyMap<string, Codec> | { get(name: string): Codec | undefined };
}

function build(model: ProxyModel, options: StartProxyOptions) {
  const stats = options.stats ?? new MemoryStats();
  const core = new ProxyCore(stats, options);
  core.updateClusters(model.clusters);
  for (const t of model.routeTables ?? []) core.updateRoutes(t);
  const manager = new ListenerManager(core, {
    codecs: options.codecs ?? defaultRegistry(),
    listenerDrainMs: options.listenerDrainMs ?? 600_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 5000,
  });
  try {
    return { core, manager, listeners: model.listeners.map((l) => manager.create(l)) };
  } catch (e) {
    throw new ProxyStartError({ message: (e as Error).message });
  }
}

/**
 * Starts the proxy as a scoped Effect: the listeners are bound on acquisition and closed
 * (gracefully, within the drain timeout) when the Scope closes.
 */
export function proxyScoped(
  model: ProxyModel,
  options: StartProxyOptions = {},
): Effect.Effect<ProxyHandle, ProxyStartError, Scope.Scope> {
  return Effect.acquireRelease(
    Effect.try({
      try: () => open(model, options),
      catch: (cause) =>
        cause instanceof ProxyStartError ? cause : new ProxyStartError({
          message: `Cannot start the proxy: ${cause instanceof Error ? cause.message : cause}`,
          cause,
        }),
    }),
    (handle) => Effect.promise(() => handle.close()),
  );
}

function open(model: ProxyModel, options: StartProxyOptions): ProxyHandle {
  const { core, manager, listeners } = build(model, options);
  for (const l of listeners) {
    try {
      manager.ports.set(l.model.name, l.listen());
      manager.listeners.set(l.model.name, l);
    } catch (error) {
      for (const other of listeners) other.close();
      core.close();
      const { name, address, port } = l.model;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ProxyStartError({
        message: `Cannot start listener "${name}" on ${address}:${port}: ${reason}`,
        cause: error,
      });
    }
  }
  let closing: Promise<void> | undefined;
  const finish = async (graceful: boolean) => {
    if (graceful) await manager.drain(options.drainTimeoutMs ?? 5000);
    manager.close();
    core.close();
  };
  return {
    ports: manager.ports,
    stats: core.stats,
    updateRoutes: (table: RouteTableModel) => core.updateRoutes(table),
    updateClusters: (clusters: readonly ClusterModel[], o?: { replaceAll?: boolean }) =>
      core.updateClusters(clusters, o?.replaceAll ?? false),
    removeClusters: (names: readonly string[]) => core.removeClusters(names),
    updateListeners: (models: readonly ListenerModel[]) => manager.update(models),
    removeListeners: (names: readonly string[]) => manager.remove(names),
    listenerModels: () => new Map([...manager.listeners].map(([k, v]) => [k, v.model])),
    clusterModels: () => new Map([...core.clusters].map(([k, v]) => [k, v.model])),
    routeTables: () => new Map([...core.tables].map(([k, v]) => [k, v.model])),
    clusterStatus: () => {
      const out = new Map<string, readonly EndpointStatus[]>();
      for (const [name, c] of core.clusters) out.set(name, c.status());
      return out;
    },
    drain: () => closing ??= finish(true),
    close: () => closing ??= finish(false),
  };
}

/**
 * Starts the proxy and returns its handle; `close()` or `drain()` ends it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startProxy } from "./proxy.ts";
 * const proxy = await startProxy({ listeners: [], clusters: [] });
 * assert.equal(proxy.ports.size, 0);
 * await proxy.close();
 * ```
 */
export async function startProxy(
  model: ProxyModel,
  options: StartProxyOptions = {},
): Promise<ProxyHandle> {
  const scope = await Effect.runPromise(Scope.make());
  const exit = await Effect.runPromiseExit(Scope.provide(scope)(proxyScoped(model, options)));
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit));
    throw Cause.squash(exit.cause);
  }
  const handle = exit.value;
  const release = () => Effect.runPromise(Scope.close(scope, Exit.void));
  return {
    ...handle,
    ports: handle.ports,
    stats: handle.stats,
    drain: async () => {
      await handle.drain();
      await release();
    },
    close: async () => {
      await handle.close();
      await release();
    },
  };
}
