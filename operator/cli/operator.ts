/**
 * `aeraki operator [flags]`: the control plane in a cluster. One Effect program: the kube
 * client from `--kubeconfig` or the pod's service account, the EnvoyFilter controller, and
 * `/ready` + `/healthz` + Prometheus `/metrics` on `--httpAddr` (logging at `--log-level`),
 * each acquired in one scope, so SIGTERM or SIGINT interrupts the program and everything
 * closes in reverse order before the process exits 0.
 *
 * @module
 */
import { Cause, Deferred, Duration, Effect, Exit, References, type Scope } from "effect";
import { type OperatorConfig, operatorFlagsUsage, parseOperatorConfig } from "../config.ts";
import { type ReconcileReport, runController } from "../controller/mod.ts";
import { kubeClientLayer } from "../kube/mod.ts";
import { parseLogLevel } from "../log_level.ts";
import { OperatorMetrics, OperatorMetricsLive, setLeader } from "../metrics/mod.ts";
import { certificateStoreFiles, serveWebhook, webhookDnsNames } from "../webhook/mod.ts";
import type { Command, CommandIo } from "./command.ts";

const USAGE = `Usage: deno task aeraki operator [flags]

Runs the Aeraki operator: watches Aeraki's CRDs and the Istio and Kubernetes objects they
name, writes the EnvoyFilters they generate (server-side apply, field manager "aeraki"),
keeps a service's last good EnvoyFilters while one of its inputs has a problem, and serves
/ready, /healthz and Prometheus /metrics on --httpAddr. SIGTERM or SIGINT stops it (exit status 0).

Each flag may also be set by the environment variable named beside it.

${operatorFlagsUsage()}

Exit status: 0 after a signal, 1 when the operator cannot start, 2 on bad flags.`;

/** `aeraki operator`. */
export const operatorCommand: Command = {
  name: "operator",
  summary: "run the operator against a Kubernetes API server",
  usage: USAGE,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    if (args.includes("--help") || args.includes("-h")) {
      io.out(USAGE + "\n");
      return 0;
    }
    const parsed = parseOperatorConfig(args, { env: (n) => Deno.env.get(n) });
    if (!parsed.ok) {
      io.err(parsed.problems.join("\n") + "\n");
      return 2;
    }
    if (parsed.rest.length > 0) {
      io.err(`Remove the arguments "${parsed.rest.join(" ")}": the operator takes flags only\n`);
      return 2;
    }
    const logLevel = parseLogLevel(parsed.config.logLevel);
    if (!logLevel.ok) {
      io.err(`${logLevel.problem}\n`);
      return 2;
    }
    const exit = await Effect.runPromiseExit(runOperator(parsed.config, { io }));
    if (Exit.isSuccess(exit)) return 0;
    io.err(`${Cause.pretty(exit.cause)}\n`);
    return 1;
  },
};

/** Options of {@link runOperator}. */
export interface RunOperatorOptions {
  /** Where start-up lines go. @default the Effect logger */
  readonly io?: CommandIo;
  /** Resolves to stop the operator (besides SIGTERM and SIGINT). @default never */
  readonly stop?: Promise<void>;
}

/**
 * Runs the operator until SIGTERM, SIGINT or `options.stop`; then closes the controller and
 * the HTTP server in reverse order and succeeds. Fails only when it cannot start (bad
 * kubeconfig, port in use).
 */
export function runOperator(
  config: OperatorConfig,
  options: RunOperatorOptions = {},
): Effect.Effect<void, unknown> {
  const program = Effect.gen(function* () {
    const stopped = yield* Deferred.make<string>();
    yield* onSignals(stopped);
    if (options.stop) {
      const stop = options.stop;
      yield* Effect.forkScoped(
        Effect.andThen(Effect.promise(() => stop), Deferred.succeed(stopped, "stop")),
      );
    }
    const ready = { value: false };
    const metrics = yield* OperatorMetrics;
    yield* serveHealth(config.monitoringPort, () => ready.value, () => metrics.registry.render());
    yield* Effect.logInfo(
      `Serving /ready, /healthz and /metrics on port ${config.monitoringPort}; ` +
        `writing EnvoyFilters to namespace "${config.rootNamespace}" as "${config.serverId}"`,
    );
    if (config.webhookCertDir) yield* startWebhook(config, config.webhookCertDir);
    else yield* Effect.logInfo(`Not serving the admission webhook: "--webhook-cert-dir" is unset`);
    // This process writes (the leader elector, when there is one, sets it as leadership moves).
    yield* setLeader(true);
    const controller = runController({
      namespace: config.watchNamespace,
      rootNamespace: config.rootNamespace,
      domain: config.domain,
      sidecarBootstrap: { xdsAddress: config.xdsAddress, xdsPort: config.xdsPort },
      allocateVips: true,
      debounce: {
        quiet: Duration.millis(config.debounceMs),
        max: Duration.millis(config.debounceMaxMs),
      },
      status: { instance: config.serverId },
      onReconcile: (r) =>
        Effect.andThen(Effect.sync(() => void (ready.value = true)), logReconcile(r)),
    });
    const why = yield* Effect.raceFirst(controller, Deferred.await(stopped));
    yield* Effect.logInfo(`Stopping on ${why}: closing the controller and servers`);
  });
  const level = parseLogLevel(config.logLevel);
  return Effect.scoped(program).pipe(
    Effect.provide(kubeClientLayer({ kubeconfig: config.kubeconfig })),
    Effect.provide(OperatorMetricsLive),
    Effect.provideService(References.MinimumLogLevel, level.ok ? level.level : "Info"),
  ) as Effect.Effect<void, unknown>;
}

/** Serves `/validate` over HTTPS with certificates kept in `dir` (a mounted Secret or a volume). */
function startWebhook(config: OperatorConfig, dir: string) {
  return Effect.gen(function* () {
    yield* Effect.tryPromise({
      try: () => Deno.mkdir(dir, { recursive: true }),
      catch: (e) =>
        new Error(`Cannot create the webhook certificate folder "${dir}": ${String(e)}`),
    });
    const namespace = config.podNamespace ?? config.rootNamespace;
    const server = yield* Effect.provide(
      serveWebhook({
        port: config.webhookPort,
        certificates: { dnsNames: [...webhookDnsNames(namespace, config.domain), "localhost"] },
      }),
      certificateStoreFiles(dir),
    );
    yield* Effect.logInfo(
      `Serving the admission webhook on port ${server.port} with certificates in "${dir}"`,
    );
  });
}

function onSignals(stopped: Deferred.Deferred<string>): Effect.Effect<void, never, Scope.Scope> {
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  return Effect.asVoid(Effect.acquireRelease(
    Effect.sync(() =>
      signals.map((signal) => {
        const handler = () => Deferred.doneUnsafe(stopped, Effect.succeed(signal));
        Deno.addSignalListener(signal, handler);
        return [signal, handler] as const;
      })
    ),
    (listeners) =>
      Effect.sync(() => {
        for (const [signal, handler] of listeners) Deno.removeSignalListener(signal, handler);
      }),
  ));
}

/**
 * `/healthz` answers 200 while the process runs; `/ready` once the first reconcile is done;
 * `/metrics` the Prometheus text of `metrics`.
 */
function serveHealth(
  port: number,
  isReady: () => boolean,
  metrics: () => string = () => "",
): Effect.Effect<void, Error, Scope.Scope> {
  return Effect.asVoid(Effect.acquireRelease(
    Effect.try({
      try: () =>
        Deno.serve({ port, hostname: "0.0.0.0", onListen: () => {} }, (request) => {
          const path = new URL(request.url).pathname;
          if (path === "/healthz") return new Response("ok\n");
          if (path === "/metrics") {
            return new Response(metrics(), {
              headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
            });
          }
          if (path === "/ready") {
            return isReady()
              ? new Response("ready\n")
              : new Response("not ready: the first reconcile has not finished\n", { status: 503 });
          }
          return new Response(`Cannot serve "${path}": try /ready, /healthz or /metrics\n`, {
            status: 404,
          });
        }),
      catch: (e) =>
        new Error(`Cannot listen for /ready and /healthz on port ${port}: ${String(e)}`),
    }),
    (server) => Effect.promise(() => server.shutdown()),
  ));
}

function logReconcile(r: ReconcileReport): Effect.Effect<void> {
  const lines = [
    ...r.applied.map((o) => `applied ${o}`),
    ...r.pruned.map((o) => `pruned ${o}`),
    ...r.kept.map((o) => `kept the last good EnvoyFilters of ${o}`),
    ...r.problems.map((p) =>
      `${p.warning ? "warning" : "problem"}: ${p.object}${
        p.field ? ` ${p.field}` : ""
      }: ${p.message}`
    ),
    ...r.failed.map((e) => `failed: ${e.message}`),
  ];
  return lines.length === 0
    ? Effect.void
    : Effect.logInfo(`Reconciled EnvoyFilters:\n  ${lines.join("\n  ")}`);
}
