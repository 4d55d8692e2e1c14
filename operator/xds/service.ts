/**
 * The xDS server as Effect services: {@link XdsCache} holds the snapshot every stream answers
 * from and takes updates (`publish`), and reports the status (connected nodes, ACKed versions,
 * NACKs); {@link XdsServer} is the gRPC server, acquired in the layer's scope and shut down
 * when the scope closes. Messages go to Effect's logger.
 *
 * @module
 */
import { Context, Data, Effect, Layer } from "effect";
import { SnapshotCache } from "./cache.ts";
import { startGrpcServer, type XdsTlsOptions } from "./grpc_server.ts";
import type { XdsLog } from "./_session.ts";
import { buildXdsSnapshot, type XdsResources, type XdsSnapshot } from "./snapshot.ts";
import { XdsStatus, type XdsStatusReport } from "./status.ts";

/** The xDS server could not start (bind failure, unusable TLS material). */
export class XdsServerError extends Data.TaggedError("XdsServerError")<{
  readonly message: string;
  readonly cause?: unknown;
}> {}

/** The snapshot cache and status behind the xDS server. */
export class XdsCache extends Context.Service<XdsCache, {
  /**
   * Encodes `resources` into a new snapshot (versions are content hashes) and makes it the
   * one every node sees; streams whose subscribed content changed get a push. A resource
   * that cannot be encoded keeps its last good version and is listed in `problems`.
   */
  readonly publish: (resources: XdsResources) => Effect.Effect<XdsSnapshot>;
  /** The snapshot nodes currently see. */
  readonly current: Effect.Effect<XdsSnapshot>;
  /** Connected nodes, what each has ACKed, and NACKs. */
  readonly status: Effect.Effect<XdsStatusReport>;
  /** The cache and status objects the gRPC server works on. */
  readonly internals: { readonly cache: SnapshotCache; readonly status: XdsStatus };
}>()("aeraki/xds/XdsCache") {}

/** An empty in-memory {@link XdsCache}. */
export const XdsCacheLive: Layer.Layer<XdsCache> = Layer.sync(XdsCache, () => {
  const cache = new SnapshotCache();
  const status = new XdsStatus();
  let current = cache.get("");
  return {
    publish: (resources) =>
      Effect.sync(() => {
        current = buildXdsSnapshot(resources, current);
        cache.set(current);
        return current;
      }),
    current: Effect.sync(() => current),
    status: Effect.sync(() => status.report()),
    internals: { cache, status },
  };
});

/** Options of {@link XdsServerLive}. */
export interface XdsServerOptions {
  /** Address to bind. @default "0.0.0.0" */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 15010 */
  readonly port?: number;
  /** TLS, and mutual TLS with `clientCa`; plain text when absent. */
  readonly tls?: XdsTlsOptions;
}

/** The running gRPC xDS server. */
export class XdsServer extends Context.Service<XdsServer, {
  /** The port it listens on. */
  readonly port: number;
}>()("aeraki/xds/XdsServer") {}

/**
 * Starts the gRPC xDS server on the {@link XdsCache} of the context when the layer is built
 * and stops it when the layer's scope closes; fails with {@link XdsServerError} when it cannot
 * listen.
 */
export function XdsServerLive(
  options: XdsServerOptions = {},
): Layer.Layer<XdsServer, XdsServerError, XdsCache> {
  return Layer.effect(
    XdsServer,
    Effect.gen(function* () {
      const { internals } = yield* XdsCache;
      const context = yield* Effect.context<never>();
      const run = Effect.runSyncWith(context);
      const log: XdsLog = (level, message) =>
        run(level === "warn" ? Effect.logWarning(message) : Effect.logInfo(message));
      const address = `${options.host ?? "0.0.0.0"}:${options.port ?? 15010}`;
      const server = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => startGrpcServer({ ...options, ...internals, log }),
          catch: (cause) =>
            new XdsServerError({
              message: `Cannot start the xDS server on "${address}": ${
                cause instanceof Error ? cause.message : cause
              }`,
              cause,
            }),
        }),
        (running) => Effect.promise(() => running.close()),
      );
      return { port: server.port };
    }),
  );
}
