/**
 * The EnvoyFilter controller (spec §6): watchers of every input kind feed one store; each
 * change is debounced, the pure generator runs over the store, and the difference from the
 * labelled EnvoyFilters the API server holds is written with server-side apply (field manager
 * `aeraki`) or pruned. A service whose inputs have a problem keeps its last good EnvoyFilters;
 * objects without the `manager: Aeraki` label are never touched.
 *
 * @module
 */
import { Effect, Queue, Schedule } from "effect";
import { parse } from "yaml";
import {
  type GeneratedObject,
  type GenerateOptions,
  type GenerateProblem,
  MeshGenerator,
  snapshotFromObjects,
} from "../generate/mod.ts";
import {
  AERAKI_KUBE_KINDS,
  backoff,
  deleteIfExists,
  ENVOY_FILTER,
  KubeClient,
  type KubeError,
  type KubeKind,
  type KubeObject,
  KubeStore,
  runWatcher,
} from "../kube/mod.ts";
import { debounce, type DebounceOptions } from "./debounce.ts";
import { INPUT_FIELD_SELECTORS, INPUT_KINDS } from "./inputs.ts";
import { LastGood, planWrites } from "./plan.ts";
import { objectSources, problemSources } from "./sources.ts";
import { type StatusOptions, StatusWriter } from "./status.ts";
import { currentMetrics } from "../metrics/mod.ts";
import { recordReconcile, triggersReconcile } from "./_observe.ts";

/** How the controller runs; generation options (root namespace, routes, ...) pass through. */
export interface ControllerOptions extends GenerateOptions {
  /**
   * Watch only this namespace, inputs and EnvoyFilters alike (tests, namespace-scoped
   * installs); generated objects must then land in it (`rootNamespace` the same). @default all
   */
  readonly namespace?: string;
  /** Debounce of input changes. @default 100 ms quiet, 1 s at most */
  readonly debounce?: DebounceOptions;
  /**
   * Told of each reconcile after its writes (status and Events included): what was written,
   * kept and found wrong. @default log
   */
  readonly onReconcile?: (report: ReconcileReport) => Effect.Effect<void>;
  /**
   * Writes `status.conditions` and Events on Aeraki's objects after each reconcile (see
   * `status.ts`); `false` turns it off. @default on, Events from instance "aeraki"
   */
  readonly status?: StatusOptions | false;
}

/** What one reconcile did. */
export interface ReconcileReport {
  readonly applied: readonly string[];
  readonly pruned: readonly string[];
  /** Sources that kept their last good EnvoyFilters because an input has a problem. */
  readonly kept: readonly string[];
  readonly problems: readonly GenerateProblem[];
  readonly failed: readonly KubeError[];
  /** Source (`ServiceEntry/ns/name`) → the EnvoyFilters held for it (new or kept). */
  readonly held?: ReadonlyMap<string, readonly GeneratedObject[]>;
  /** The sources an input object (`Kind/namespace/name`) feeds. */
  readonly sourcesOf?: (object: string) => readonly string[];
}

/** Runs the controller until interrupted; it never fails (API errors are retried). */
export function runController(
  options: ControllerOptions = {},
): Effect.Effect<never, never, KubeClient> {
  return Effect.scoped(Effect.gen(function* () {
    const client = yield* KubeClient;
    const metrics = yield* currentMetrics;
    const statusWriter = options.status === false
      ? undefined
      : new StatusWriter({ namespace: options.namespace, ...options.status });
    const inputs = new KubeStore();
    const written = new KubeStore();
    const changed = yield* Queue.unbounded<string>();
    const synced = new Set<string>();
    const watch = (kind: KubeKind, store: KubeStore, labelSelector?: string) =>
      Effect.forkScoped(runWatcher(kind, {
        namespace: options.namespace,
        labelSelector,
        fieldSelector: INPUT_FIELD_SELECTORS.get(kind),
        onError: (e) =>
          Effect.andThen(
            Effect.sync(() => metrics.watchRestarts.inc({ kind: kind.kind })),
            Effect.logWarning(e.message),
          ),
        onEvent: (event) =>
          Effect.sync(() => {
            const changes = store.apply(event);
            if (event.type === "Restarted") synced.add(`${kind.group}/${kind.kind}`);
            if (changes.some(triggersReconcile) || event.type === "Restarted") {
              metrics.pendingChanges.inc();
              Queue.offerUnsafe(changed, kind.kind);
            }
          }),
      }));
    for (const kind of INPUT_KINDS) yield* watch(kind, inputs);
    yield* watch(ENVOY_FILTER, written, "manager=Aeraki");
    const reconciler = new Reconciler(options);
    const scope = yield* Effect.scope;
    const report = options.onReconcile ?? logReport;
    yield* debounce(changed, {
      ...options.debounce,
      onBatch: () =>
        synced.size < INPUT_KINDS.length + 1 ? Effect.void : Effect.gen(function* () {
          // A defect (a generator bug on some input) is logged and the loop carries on; the
          // next change tries again.
          metrics.pendingChanges.set(0);
          const started = performance.now();
          const r = yield* Effect.suspend(() => reconciler.run(client, inputs, written)).pipe(
            Effect.catchDefect((defect) =>
              Effect.as(
                Effect.logError(`Cannot reconcile EnvoyFilters: ${String(defect)}`),
                undefined,
              )
            ),
          );
          recordReconcile(metrics, r, performance.now() - started);
          if (r === undefined) return;
          const statusFailed = statusWriter === undefined ? 0 : yield* statusWriter.update(
            r,
            AERAKI_KUBE_KINDS.flatMap((k) => inputs.list(k)),
            { client, metrics },
          );
          yield* report(r);
          // A failed write is tried again after the next debounce.
          if (r.failed.length > 0 || statusFailed > 0) {
            yield* Effect.forkIn(
              Effect.andThen(Effect.sleep("1 second"), Queue.offer(changed, "retry")),
              scope,
            );
          }
        }),
    });
  })) as Effect.Effect<never, never, KubeClient>;
}

function logReport(r: ReconcileReport): Effect.Effect<void> {
  if (r.applied.length + r.pruned.length + r.kept.length + r.failed.length === 0) {
    return Effect.void;
  }
  return Effect.logInfo(
    `Reconciled EnvoyFilters: applied ${r.applied.length}, pruned ${r.pruned.length}, ` +
      `kept last good for ${r.kept.length}, failed ${r.failed.length}`,
  );
}

/** One generation and its writes; keeps the generator's memo and the last good outputs. */
class Reconciler {
  readonly #generator: MeshGenerator;
  readonly #lastGood = new LastGood();

  constructor(readonly options: ControllerOptions) {
    const { namespace: _, debounce: __, onReconcile: ___, ...generate } = options;
    this.#generator = new MeshGenerator(generate);
  }

  run(
    client: KubeClient["Service"],
    inputs: KubeStore,
    written: KubeStore,
  ): Effect.Effect<ReconcileReport> {
    const objects = INPUT_KINDS.flatMap((k) => inputs.list(k));
    const input = snapshotFromObjects(objects, { parseYaml: parse, domain: this.options.domain });
    const generated = this.#generator.generate(input.snapshot);
    const problems = [...input.problems, ...generated.problems];
    const raw = new Map(objects.map((o) => [refOf(o), o]));
    const held = written.list(ENVOY_FILTER);
    const { desired, kept } = this.#lastGood.resolve({
      stored: new Map(
        held.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, asGenerated(o)]),
      ),
      envoyFilters: generated.envoyFilters,
      problems,
      sourceOf: (ef) => this.#generator.sourceOf(ef),
      sourcesOfProblem: problemSources(input.snapshot, { raw, origins: input.origins }),
    });
    const bySource = this.#lastGood.held();
    const sourcesOf = objectSources(input.snapshot, { raw, origins: input.origins });
    const plan = planWrites(desired, held);
    const retry = backoff().pipe(Schedule.upTo({ times: 4 }));
    return Effect.gen(function* () {
      const failed: KubeError[] = [];
      const attempt = (e: Effect.Effect<unknown, KubeError>) =>
        Effect.catch(Effect.asVoid(Effect.retry(e, retry)), (err) =>
          Effect.sync(() => {
            failed.push(err);
          }));
      for (const ef of plan.apply) yield* attempt(client.apply(ef));
      for (const ef of plan.prune) {
        yield* attempt(
          Effect.provideService(
            deleteIfExists(ENVOY_FILTER, ef.metadata),
            KubeClient,
            client,
          ),
        );
      }
      return {
        applied: plan.apply.map(refOf),
        pruned: plan.prune.map(refOf),
        kept,
        problems,
        failed,
        held: bySource,
        sourcesOf,
      };
    });
  }
}

function refOf(o: { kind: string; metadata: { namespace?: string; name: string } }): string {
  const ns = o.metadata.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

function asGenerated(o: KubeObject): GeneratedObject {
  return {
    apiVersion: o.apiVersion,
    kind: "EnvoyFilter",
    metadata: {
      namespace: o.metadata.namespace ?? "",
      name: o.metadata.name,
      labels: o.metadata.labels ?? {},
    },
    spec: (o.spec ?? {}) as Record<string, unknown>,
  };
}
