/**
 * The admission webhook server: HTTPS on the webhook port, `/validate`, as an Effect scoped
 * resource. Certificates come from {@link ensureCertificates}; a fiber renews them before
 * they expire and restarts the listener with them on the same port: the old listener drains
 * its requests, then the new one binds (Deno cannot swap a listener's certificate, and
 * SO_REUSEPORT on TLS listeners is unstable), so the port is closed for a moment once a
 * renewal period; the API server's call fails then and the client retries.
 *
 * @module
 */
import { Clock, Data, Effect, Ref, Schedule, type Scope } from "effect";
import { handleAdmissionRequest } from "./admission.ts";
import {
  type CertificateBundle,
  type CertificatePolicy,
  CertificateStore,
  type CertificateStoreError,
  ensureCertificates,
} from "./certificates.ts";

/** The webhook's port could not be opened. */
export class WebhookListenError extends Data.TaggedError("WebhookListenError")<{
  readonly port: number;
  readonly cause: unknown;
}> {
  override get message(): string {
    const detail = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return `Cannot listen for admission reviews on port ${this.port}: ${detail}`;
  }
}

/** Options of {@link serveWebhook}. */
export interface WebhookServerOptions {
  /** Port to listen on; 0 picks a free one (tests). @default 15017 */
  readonly port?: number;
  /** Address to bind. @default "0.0.0.0" */
  readonly hostname?: string;
  /** Certificate names and lifetimes. */
  readonly certificates: CertificatePolicy;
  /** Called after each request with its path, status and duration (for metrics). */
  readonly onRequest?: (info: { path: string; status: number; ms: number }) => void;
}

/** A running webhook server. */
export interface WebhookServer {
  /** The port it listens on. */
  readonly port: number;
  /** The certificates served now (the CA's certificate is the `caBundle`). */
  readonly certificates: Effect.Effect<CertificateBundle>;
  /** How many listeners have been started (1 plus one per renewal). */
  readonly generation: Effect.Effect<number>;
}

interface Live {
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  readonly bundle: CertificateBundle;
  readonly generation: number;
}

function listen(
  options: WebhookServerOptions,
  port: number,
  bundle: CertificateBundle,
): Effect.Effect<Deno.HttpServer<Deno.NetAddr>, WebhookListenError> {
  return Effect.try({
    try: () =>
      Deno.serve({
        port,
        hostname: options.hostname ?? "0.0.0.0",
        cert: bundle.server.cert,
        key: bundle.server.key,
        onListen: () => {},
        onError: (e) =>
          Response.json({ message: `Cannot review the request: ${String(e)}` }, { status: 500 }),
      }, async (request) => {
        const started = performance.now();
        const response = await handleAdmissionRequest(request);
        options.onRequest?.({
          path: new URL(request.url).pathname,
          status: response.status,
          ms: performance.now() - started,
        });
        return response;
      }),
    catch: (cause) => new WebhookListenError({ port, cause }),
  });
}

const shutdown = (server: Deno.HttpServer) => Effect.promise(() => server.shutdown());

/**
 * Starts the webhook server in the current scope; closing the scope stops renewal and the
 * listener. A failed renewal (store unreachable) is logged and retried with backoff; the
 * server keeps serving its current certificate meanwhile.
 */
export function serveWebhook(
  options: WebhookServerOptions,
): Effect.Effect<
  WebhookServer,
  CertificateStoreError | WebhookListenError,
  Scope.Scope | CertificateStore
> {
  return Effect.gen(function* () {
    const first = yield* ensureCertificates(options.certificates);
    const live = yield* Effect.acquireRelease(
      Effect.map(
        listen(options, options.port ?? 15017, first.bundle),
        (server) => Ref.makeUnsafe<Live>({ server, bundle: first.bundle, generation: 1 }),
      ),
      (ref) => Effect.flatMap(Ref.get(ref), (l) => shutdown(l.server)),
    );
    const port = Ref.getUnsafe(live).server.addr.port;
    yield* Effect.forkScoped(renewLoop(options, port, live, first.renewAt));
    return {
      port,
      certificates: Effect.map(Ref.get(live), (l) => l.bundle),
      generation: Effect.map(Ref.get(live), (l) => l.generation),
    };
  });
}

function renewLoop(
  options: WebhookServerOptions,
  port: number,
  live: Ref.Ref<Live>,
  firstRenewAt: number,
): Effect.Effect<never, never, CertificateStore> {
  const retry = Schedule.min([Schedule.exponential("1 second"), Schedule.spaced("5 minutes")])
    .pipe(Schedule.jittered);
  const renewOnce = (renewAt: number) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      // At least a minute apart, so a policy renewing earlier than certificates last cannot spin.
      yield* Effect.sleep(Math.max(renewAt - now, 60_000));
      const next = yield* ensureCertificates(options.certificates);
      if (next.renewed) {
        const old = yield* Ref.get(live);
        yield* shutdown(old.server);
        // Binding again can fail only if another process took the port in between; retried.
        const server = yield* listen(options, port, next.bundle).pipe(Effect.retry(retry));
        yield* Ref.set(live, { server, bundle: next.bundle, generation: old.generation + 1 });
        yield* Effect.logInfo(
          `Renewed the webhook certificates: next renewal at ${
            new Date(next.renewAt).toISOString()
          }`,
        );
      }
      return next.renewAt;
    }).pipe(
      Effect.tapError((e) => Effect.logWarning(e.message)),
      Effect.retry(retry),
    );
  // The retry schedule never ends, so the loop never fails.
  const loop = (renewAt: number): Effect.Effect<never, never, CertificateStore> =>
    Effect.flatMap(Effect.orDie(renewOnce(renewAt)), loop);
  return loop(firstRenewAt);
}
