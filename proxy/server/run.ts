/**
 * Runs a compiled bootstrap: the data plane (`startProxy`), its access logs, the admin
 * server, the RDS subscriptions and the global rate-limit client, wired together; and the
 * drain that ends them in reverse order (stop RDS, drain the listeners, flush the logs,
 * close the admin server).
 *
 * @module
 */
import { ZipkinReporter } from "../tracing/mod.ts";
import { Data, Effect, type Scope } from "effect";
import { createAccessLogs } from "../access_log/mod.ts";
import { type AdminServer, startAdmin } from "../admin/mod.ts";
import type { CompiledBootstrap } from "../bootstrap/mod.ts";
import type { ProxyHandle } from "../config/model.ts";
import { startProxy } from "../proxy.ts";
import { MemoryStats } from "../stats.ts";
import { startXds, type XdsClients } from "../rds/mod.ts";
import { createRateLimitClient, type RateLimitClient } from "../ratelimit/mod.ts";

/** Options of {@linkcode runBootstrap}. */
export interface RunOptions {
  /** How long a drain waits for in-flight requests (ms). @default 5000 */
  readonly drainTimeoutMs?: number;
  /** Logs lifecycle events (RDS updates and NACKs, drains). @default console.error */
  readonly log?: (line: string) => void;
  /** `SO_REUSEPORT` on the listeners (see `ProxyOptions.reusePort`). @default false */
  readonly reusePort?: boolean;
  /** Serve the bootstrap's admin address; a worker process of a parent leaves it. @default true */
  readonly admin?: boolean;
}

/** A running bootstrap. */
export interface RunningProxy {
  readonly proxy: ProxyHandle;
  /** The admin server, when the bootstrap has an `admin` address. */
  readonly admin?: AdminServer;
  /** Stops accepting, finishes in-flight requests, closes everything; idempotent. */
  drain(): Promise<void>;
  /** Resolves once a drain (from here, `/quitquitquit` or a signal handler) finished. */
  readonly done: Promise<void>;
}

function rateLimitService(c: CompiledBootstrap): RateLimitClient | undefined {
  const used = c.model.listeners.some((l) => l.filters.some((f) => f.kind === "ratelimit"));
  return used ? createRateLimitClient(c.model.clusters) : undefined;
}

/** Opens the rate-limit channels before traffic; a service that is down is only logged. */
async function connectRateLimits(
  c: CompiledBootstrap,
  limiter: RateLimitClient | undefined,
  log: (l: string) => void,
) {
  if (!limiter) return;
  const clusters = new Set(
    c.model.listeners.flatMap((l) =>
      l.filters.flatMap((f) => f.kind === "ratelimit" ? [f.cluster] : [])
    ),
  );
  await Promise.all([...clusters].map((name) => {
    const timeout = c.model.clusters.find((x) => x.name === name)?.connectTimeoutMs ?? 5000;
    return limiter.connect(name, timeout).catch((e) => log((e as Error).message));
  }));
}

/** Starts everything a compiled bootstrap describes. */
export async function runBootstrap(
  c: CompiledBootstrap,
  options: RunOptions = {},
): Promise<RunningProxy> {
  const log = options.log ?? ((line: string) => console.error(line));
  const logs = createAccessLogs(c.model.listeners);
  const limiter = rateLimitService(c);
  const stats = new MemoryStats();
  // Always there: listeners from LDS may bring tracing; it costs nothing until a span comes.
  const tracer = new ZipkinReporter({ stats });
  const proxy = await startProxy(c.model, {
    stats,
    accessLog: logs.callback,
    ...(limiter ? { rateLimit: limiter } : {}),
    tracer,
    drainTimeoutMs: options.drainTimeoutMs,
    reusePort: options.reusePort,
  }).catch((e) => {
    limiter?.close();
    logs.close();
    throw e;
  });
  let state = "LIVE";
  let rds: XdsClients | undefined;
  let admin: AdminServer | undefined;
  let finished!: () => void;
  const done = new Promise<void>((r) => finished = r);
  let draining: Promise<void> | undefined;
  const drain = () =>
    draining ??= (async () => {
      state = "DRAINING";
      log("Draining: no new connections, finishing in-flight requests");
      await rds?.close();
      await proxy.drain();
      await tracer.close();
      limiter?.close();
      logs.close();
      await admin?.close();
      finished();
    })();
  try {
    await connectRateLimits(c, limiter, log);
    rds = startXds(c, { proxy, log });
    if (c.model.admin && options.admin !== false) {
      admin = await startAdmin(c.model.admin, {
        proxy,
        model: c.model,
        rds: () => rds?.status() ?? [],
        onQuit: () => void drain(),
        state: () => state,
        loadedAt: Date.now(),
      });
    }
  } catch (e) {
    await rds?.close();
    await proxy.close();
    limiter?.close();
    logs.close();
    throw e;
  }
  return { proxy, admin, drain, done };
}

/** A bootstrap could not be started (a port taken, a log file not writable…). */
export class ProxyRunError extends Data.TaggedError("ProxyRunError")<{
  readonly message: string;
  readonly cause?: unknown;
}> {}

/**
 * {@linkcode runBootstrap} as a scoped Effect: acquired when started, drained when the
 * Scope closes (in reverse order of what was started).
 */
export function runBootstrapScoped(
  c: CompiledBootstrap,
  options: RunOptions = {},
): Effect.Effect<RunningProxy, ProxyRunError, Scope.Scope> {
  return Effect.acquireRelease(
    Effect.tryPromise({
      try: () => runBootstrap(c, options),
      catch: (cause) =>
        new ProxyRunError({
          message: `Cannot start the proxy: ${cause instanceof Error ? cause.message : cause}`,
          cause,
        }),
    }),
    (running) => Effect.promise(() => running.drain()),
  );
}
