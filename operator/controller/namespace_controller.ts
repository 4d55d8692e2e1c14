/**
 * The namespace controller (control-plane spec §5, §6): every namespace whose sidecars Istio
 * injects (label `istio-injection=enabled` or a non-empty `istio.io/rev`) gets the sidecar
 * bootstrap ConfigMap `aeraki-bootstrap-config`, which pods name in their
 * `sidecar.istio.io/bootstrapOverride` annotation to reach the MetaProtocol RDS server.
 *
 * The ConfigMap is labelled `manager: Aeraki`; a labelled one is kept as built (the RDS
 * address may change with the flags) and removed when its namespace no longer injects
 * sidecars. An unlabelled ConfigMap of that name is someone else's and never touched; a create
 * is a server-side apply without force, so one made meanwhile by someone else is not taken.
 * Upstream only ever creates the ConfigMap.
 *
 * @module
 */
import { Effect } from "effect";
import {
  BOOTSTRAP_CONFIG_MAP,
  buildSidecarBootstrap,
  MANAGED_BY,
  type SidecarBootstrapOptions,
  stableStringify,
  wantsSidecarBootstrap,
} from "../generate/mod.ts";
import {
  type BackoffOptions,
  CONFIG_MAP,
  KubeClient,
  type KubeKind,
  type KubeObject,
  type KubeStore,
} from "../kube/mod.ts";
import { runWatchLoop } from "./_watch_loop.ts";

/** Core `Namespace` (cluster-scoped). */
export const NAMESPACE: KubeKind = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
};

/** Options of {@linkcode runNamespaceController}. */
export interface NamespaceControllerOptions extends SidecarBootstrapOptions {
  /** Watch inactivity and backoff. @default the watcher's */
  readonly watch?: { readonly inactivityMs?: number; readonly backoff?: BackoffOptions };
}

/** What one pass should write: ConfigMaps to apply (`create`: none there yet) and to delete. */
export interface BootstrapPlan {
  readonly apply: readonly { readonly object: KubeObject; readonly create: boolean }[];
  readonly remove: readonly KubeObject[];
}

/**
 * Decides, from the namespaces and the ConfigMaps named `aeraki-bootstrap-config`, which
 * ConfigMaps to create or correct and which labelled ones to remove. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planBootstrapConfigMaps } from "./namespace_controller.ts";
 * const ns = (name: string, labels = {}) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
 * const plan = planBootstrapConfigMaps([ns("a", { "istio-injection": "enabled" }), ns("b")], []);
 * assert.deepEqual(plan.apply.map((a) => a.object.metadata.namespace), ["a"]);
 * assert.deepEqual(plan.remove, []);
 * ```
 */
export function planBootstrapConfigMaps(
  namespaces: readonly KubeObject[],
  configMaps: readonly KubeObject[],
  options: SidecarBootstrapOptions = {},
): BootstrapPlan {
  const held = new Map(configMaps.map((c) => [c.metadata.namespace ?? "", c]));
  const ours = (c: KubeObject) => c.metadata.labels?.manager === MANAGED_BY.manager;
  const live = (n: KubeObject) =>
    (n.status as { phase?: string } | undefined)?.phase !== "Terminating";
  const wanted = new Set(
    namespaces.filter((n) => live(n) && wantsSidecarBootstrap(n.metadata.labels)).map((n) =>
      n.metadata.name
    ),
  );
  const apply: { object: KubeObject; create: boolean }[] = [];
  for (const ns of [...wanted].sort()) {
    const object = buildSidecarBootstrap(ns, options) as unknown as KubeObject;
    const have = held.get(ns);
    if (!have) apply.push({ object, create: true });
    else if (ours(have) && !sameContent(have, object)) apply.push({ object, create: false });
  }
  // A namespace being deleted (or already gone) takes its ConfigMaps with it.
  const settled = new Set(namespaces.filter(live).map((n) => n.metadata.name));
  const remove = configMaps.filter((c) => {
    const ns = c.metadata.namespace ?? "";
    return ours(c) && settled.has(ns) && !wanted.has(ns);
  });
  return { apply, remove };
}

function sameContent(have: KubeObject, want: KubeObject): boolean {
  const labels = have.metadata.labels ?? {};
  return stableStringify(have.data ?? {}) === stableStringify(want.data ?? {}) &&
    Object.entries(want.metadata.labels ?? {}).every(([k, v]) => labels[k] === v);
}

/** Runs the namespace controller until interrupted; it never fails (writes are retried). */
export function runNamespaceController(
  options: NamespaceControllerOptions = {},
): Effect.Effect<never, never, KubeClient> {
  return runWatchLoop({
    watches: [
      { kind: NAMESPACE },
      { kind: CONFIG_MAP, fieldSelector: `metadata.name=${BOOTSTRAP_CONFIG_MAP}` },
    ],
    watch: options.watch,
    pass: (store) => bootstrapPass(store, options),
  });
}

function bootstrapPass(
  store: KubeStore,
  options: SidecarBootstrapOptions,
): Effect.Effect<number, never, KubeClient> {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    const plan = planBootstrapConfigMaps(store.list(NAMESPACE), store.list(CONFIG_MAP), options);
    let failed = 0;
    for (const { object, create } of plan.apply) {
      const written = yield* Effect.result(client.apply(object, { force: !create }));
      if (written._tag === "Success") {
        store.apply({ type: "Applied", kind: CONFIG_MAP, object: written.success });
        yield* Effect.logInfo(
          `Wrote ConfigMap "${object.metadata.namespace}/${BOOTSTRAP_CONFIG_MAP}"`,
        );
      } else if (written.failure._tag === "KubeConflictError" && create) {
        // Someone else made it meanwhile: theirs; the watch brings it.
        yield* Effect.logInfo(
          `Leaving ConfigMap "${object.metadata.namespace}/${BOOTSTRAP_CONFIG_MAP}" to its owner`,
        );
      } else {
        failed++;
        yield* Effect.logWarning(written.failure.message);
      }
    }
    for (const object of plan.remove) {
      const removed = yield* Effect.result(
        client.delete(CONFIG_MAP, object.metadata).pipe(
          Effect.catchTag("KubeNotFoundError", () => Effect.void),
        ),
      );
      if (removed._tag === "Success") {
        store.apply({ type: "Deleted", kind: CONFIG_MAP, object });
        yield* Effect.logInfo(
          `Removed ConfigMap "${object.metadata.namespace}/${BOOTSTRAP_CONFIG_MAP}"`,
        );
      } else {
        failed++;
        yield* Effect.logWarning(removed.failure.message);
      }
    }
    return failed;
  });
}
