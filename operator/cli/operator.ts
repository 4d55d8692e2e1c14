/**
 * `aeraki operator [flags]`: the control plane in a cluster. One Effect program: the kube
 * client from `--kubeconfig` or the pod's service account, the EnvoyFilter controller, and
 * `/ready` + `/healthz` + Prometheus `/metrics` on `--httpAddr` (logging at `--log-level`),
 * each acquired in one scope, so SIGTERM or SIGINT interrupts the program and everything
 * closes in reverse order before the process exits 0.
 *
 * @module
 */
import { Cause, Deferred, Duration, Effect, Exit, Layer, References, type Scope } from "effect";
import { type OperatorConfig, operatorFlagsUsage, parseOperatorConfig } from "../config.ts";
import { type ReconcileReport, runController } from "../controller/mod.ts";
import { startLeadership } from "../leader/mod.ts";
import { parseLogLevel } from "../log_level.ts";
import { OperatorMetrics, OperatorMetricsLive, setLeader } from "../metrics/mod.ts";
import {
  type ClusterWebhookOptions,
  startClusterWebhook,
  webhookRegistration,
} from "../webhook/mod.ts";
import type { Command, CommandIo } from "./command.ts";

const USAGE = `Usage: deno task aeraki operator [flags]

Runs the Aeraki operator: watches Aeraki's CRDs and the Istio and Kubernetes objects they
name, writes the EnvoyFilters they generate (server-side apply, field manager "aeraki"),
keeps a service's last good EnvoyFilters while one of its inputs has a problem, and serves
/ready, /healthz and Prometheus /metrics on --httpAddr. Of several replicas only the holder of
the Lease --election-id writes (EnvoyFilters, VirtualServices, status, Events, the
ValidatingWebhookConfiguration); all serve /ready, /healthz, /metrics and admission reviews.
SIGTERM or SIGINT stops it (exit status 0) and releases the lease, so another replica takes
over at once.

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
    const parsed = parseOperatorConfig(args, {
      env: (n) => Deno.env.get(n),
      hostname: () => Deno.hostname(),
    });
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
  /** Told when this replica starts (`true`) or stops (`false`) leading. @default none */
  readonly onLeadership?: (leading: boolean) => void;
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
    // Ready once the servers are up and, while leading, once this term has reconciled.
    const ready = { value: false, serving: false, leading: false };
    const metrics = yield* OperatorMetrics;
    yield* serveHealth(
      config.monitoringPort,
      () => ready.serving && (!ready.leading || ready.value),
      () => metrics.registry.render(),
    );
    yield* Effect.logInfo(
      `Serving /ready, /healthz and /metrics on port ${config.monitoringPort}; ` +
        `writing EnvoyFilters to namespace "${config.rootNamespace}" as "${config.serverId}" ` +
        `while holding Lease "${config.rootNamespace}/${config.leaseName}"`,
    );
    const webhookOptions: ClusterWebhookOptions = {
      port: config.webhookPort,
      namespace: config.podNamespace ?? config.rootNamespace,
      inPod: config.podNamespace !== undefined,
      domain: config.domain,
      identity: config.serverId,
      certDir: config.webhookCertDir,
      secret: config.webhookSecret,
      url: config.webhookUrl,
      namespaceSelector: config.webhookNamespaceSelector,
    };
    const webhook = yield* startClusterWebhook(webhookOptions);
    ready.serving = true;
    const leadership = yield* startLeadership({
      namespace: config.rootNamespace,
      name: config.leaseName,
      identity: config.serverId,
      leaseDurationSeconds: config.leaseDurationMs / 1000,
      renewDeadlineSeconds: config.renewDeadlineMs / 1000,
      retryPeriodSeconds: config.retryPeriodMs / 1000,
      enabled: config.master,
      // The leader-state gauge of /metrics follows the lease.
      onChange: (leading) =>
        Effect.andThen(
          setLeader(leading),
          Effect.sync(() => {
            ready.leading = leading;
            options.onLeadership?.(leading);
          }),
        ),
    });
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
    // Only the leader writes; losing the lease interrupts all of it at once.
    const writer = Effect.andThen(
      Effect.sync(() => void (ready.value = false)),
      Effect.all([controller, ...webhookRegistration(webhook, webhookOptions)], {
        concurrency: "unbounded",
        discard: true,
      }),
    );
    const why = yield* Effect.raceFirst(
      leadership.runWhileLeader(writer),
      Deferred.await(stopped),
    );
    yield* Effect.logInfo(`Stopping on ${why}: closing the controller and servers`);
  });
  const level = parseLogLevel(config.logLevel);
  return Effect.scoped(program).pipe(
    // client-node is loaded when the operator runs, not when its module is (`--help`, tests).
    Effect.provide(Layer.unwrap(
      Effect.promise(() => import("../kube/client_live.ts")).pipe(
        Effect.map((live) => live.kubeClientLayer({ kubeconfig: config.kubeconfig })),
      ),
    )),
    Effect.provide(OperatorMetricsLive),
    Effect.provideService(References.MinimumLogLevel, level.ok ? level.level : "Info"),
  ) as Effect.Effect<void, unknown>;
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
