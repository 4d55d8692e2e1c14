/**
 * The EnvoyFilter controller (spec §6): watchers of every input kind feed one store; each
 * change is debounced, the pure generator runs over the store, and the difference from the
 * labelled EnvoyFilters and gateway VirtualServices the API server holds is written with
 * server-side apply (field manager `aeraki`) or pruned. A service whose inputs have a problem
 * keeps its last good EnvoyFilters; objects without the `manager: Aeraki` label are never
 * touched, and labelled VirtualServices (our own output) are not read as inputs.
 *
 * @module
 */
import { Effect, Queue } from "effect";
import { parse } from "yaml";
import {
  type GeneratedObject,
  type GenerateOptions,
  type GenerateProblem,
  MeshGenerator,
  type SidecarBootstrapOptions,
  snapshotFromObjects,
} from "../generate/mod.ts";
import {
  AERAKI_KUBE_KINDS,
  type BackoffOptions,
  ENVOY_FILTER,
  KubeClient,
  type KubeError,
  type KubeKind,
  type KubeObject,
  KubeStore,
  runWatcher,
  VIRTUAL_SERVICE,
} from "../kube/mod.ts";
import { debounce, type DebounceOptions } from "./debounce.ts";
import { runNamespaceController } from "./namespace_controller.ts";
import { runVipController } from "./vip_controller.ts";
import { INPUT_FIELD_SELECTORS, INPUT_KINDS, INPUT_LABEL_SELECTORS } from "./inputs.ts";
import { LastGood, planWrites } from "./plan.ts";
import { objectSources, problemSources } from "./sources.ts";
import { type StatusOptions, StatusWriter } from "./status.ts";
import { currentMetrics } from "../metrics/mod.ts";
import { recordReconcile, triggersReconcile } from "./_observe.ts";
import { AppliedVersions, executeWrites, refOf } from "./write.ts";

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
  /** How the watches re-watch and back off, and how writes back off. @default the watcher's */
  readonly watch?: {
    /** Re-watch after this long without an event or bookmark. @default 90000 */
    readonly inactivityMs?: number;
    /** Backoff of failed watches and writes. @default 800 ms doubling to 30 s */
    readonly backoff?: BackoffOptions;
  };
  /** Also run the namespace controller of the sidecar bootstrap ConfigMaps. @default off */
  readonly sidecarBootstrap?: SidecarBootstrapOptions;
  /** Also run the ServiceEntry VIP allocator (in `namespace` when set). @default false */
  readonly allocateVips?: boolean;
}

/** What one reconcile did. */
export interface ReconcileReport {
  readonly applied: readonly string[];
  readonly pruned: readonly string[];
  /** Sources that kept their last good EnvoyFilters because an input has a problem. */
  readonly kept: readonly string[];
  readonly problems: readonly GenerateProblem[];
  readonly failed: readonly KubeError[];
  /** Milliseconds spent generating and planning (before any write). */
  readonly computeMs?: number;
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
        ...options.watch,
        onEvent: (event) =>
          Effect.sync(() => {
            const changes = store.apply(event);
            if (event.type === "Restarted") synced.add(`${kind.kind}?${labelSelector ?? ""}`);
            if (changes.some(triggersReconcile) || event.type === "Restarted") {
              metrics.pendingChanges.inc();
              Queue.offerUnsafe(changed, kind.kind);
            }
          }),
      }));
    for (const kind of INPUT_KINDS) yield* watch(kind, inputs, INPUT_LABEL_SELECTORS.get(kind));
    for (const kind of WRITTEN_KINDS) yield* watch(kind, written, "manager=Aeraki");
    const { sidecarBootstrap, allocateVips, namespace, watch: w } = options;
    if (sidecarBootstrap) {
      yield* Effect.forkScoped(runNamespaceController({ ...sidecarBootstrap, watch: w }));
    }
    if (allocateVips) yield* Effect.forkScoped(runVipController({ namespace, watch: w }));
    const reconciler = new Reconciler(options);
    const scope = yield* Effect.scope;
    const report = options.onReconcile ?? logReport;
    const watches = INPUT_KINDS.length + WRITTEN_KINDS.length;
    yield* debounce(changed, {
      ...options.debounce,
      onBatch: () =>
        synced.size < watches ? Effect.void : Effect.gen(function* () {
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

/** The kinds the controller writes and prunes (only objects labelled `manager: Aeraki`). */
const WRITTEN_KINDS: readonly KubeKind[] = [ENVOY_FILTER, VIRTUAL_SERVICE];

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
  readonly #lastGoodVirtualServices = new LastGood();
  readonly #applied = new AppliedVersions();

  constructor(readonly options: ControllerOptions) {
    const {
      namespace: _n,
      debounce: _d,
      onReconcile: _r,
      watch: _w,
      status: _s,
      sidecarBootstrap: _b,
      allocateVips: _v,
      ...generate
    } = options;
    this.#generator = new MeshGenerator(generate);
  }

  run(
    client: KubeClient["Service"],
    inputs: KubeStore,
    written: KubeStore,
  ): Effect.Effect<ReconcileReport> {
    const t0 = performance.now();
    const objects = INPUT_KINDS.flatMap((k) => inputs.list(k));
    const input = snapshotFromObjects(objects, { parseYaml: parse, domain: this.options.domain });
    const generated = this.#generator.generate(input.snapshot);
    const problems = [...input.problems, ...generated.problems];
    const raw = new Map(objects.map((o) => [refOf(o), o]));
    const resolve = (lastGood: LastGood, kind: KubeKind, outputs: readonly GeneratedObject[]) => {
      const held = written.list(kind);
      const { desired, kept } = lastGood.resolve({
        stored: new Map(
          held.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, asGenerated(o)]),
        ),
        envoyFilters: outputs,
        problems,
        sourceOf: (ef) => this.#generator.sourceOf(ef),
        sourcesOfProblem: problemSources(input.snapshot, { raw, origins: input.origins }),
      });
      return { kind, plan: planWrites(desired, held), kept };
    };
    const plans = [
      resolve(this.#lastGood, ENVOY_FILTER, generated.envoyFilters),
      resolve(this.#lastGoodVirtualServices, VIRTUAL_SERVICE, generated.virtualServices),
    ];
    const held = this.#lastGood.held();
    const sourcesOf = objectSources(input.snapshot, { raw, origins: input.origins });
    const backoff = this.options.watch?.backoff;
    const computeMs = performance.now() - t0;
    const applied = this.#applied;
    return Effect.gen(function* () {
      const done: string[] = [], pruned: string[] = [], failed: KubeError[] = [];
      for (const { kind, plan } of plans) {
        const out = yield* executeWrites(kind, plan, { store: written, backoff, applied });
        done.push(...out.applied);
        pruned.push(...out.pruned);
        failed.push(...out.failed);
      }
      const kept = [...new Set(plans.flatMap((p) => p.kept))].sort();
      return { applied: done, pruned, kept, problems, failed, held, sourcesOf, computeMs };
    }).pipe(Effect.provideService(KubeClient, client));
  }
}

function asGenerated(o: KubeObject): GeneratedObject {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind === "VirtualService" ? "VirtualService" : "EnvoyFilter",
    metadata: {
      namespace: o.metadata.namespace ?? "",
      name: o.metadata.name,
      labels: o.metadata.labels ?? {},
    },
    spec: (o.spec ?? {}) as Record<string, unknown>,
  };
}
