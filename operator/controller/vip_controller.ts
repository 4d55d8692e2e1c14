/**
 * The ServiceEntry VIP controller (control-plane spec §6): feeds every ServiceEntry to the
 * {@linkcode VipAllocator} — first those that have addresses, oldest first, so existing VIPs
 * are known before a new one is handed out and the older of two entries keeps a shared one —
 * and writes each assigned VIP into `spec.addresses` with server-side apply (field manager
 * `aeraki`, no force), naming the resourceVersion it decided on, so the write is refused (409)
 * when the entry changed meanwhile and the next pass decides again. What the API server
 * answers goes into the store at once, so a lagging watch never makes it assign twice.
 *
 * @module
 */
import { Effect } from "effect";
import { VipAllocator } from "../reconcile/mod.ts";
import {
  type BackoffOptions,
  KubeClient,
  type KubeObject,
  type KubeStore,
  SERVICE_ENTRY,
} from "../kube/mod.ts";
import { runWatchLoop } from "./_watch_loop.ts";

/** Options of {@linkcode runVipController}. */
export interface VipControllerOptions {
  /** Only this namespace's ServiceEntries (tests). @default all */
  readonly namespace?: string;
  /** Watch inactivity and backoff. @default the watcher's */
  readonly watch?: { readonly inactivityMs?: number; readonly backoff?: BackoffOptions };
}

/** Runs the VIP controller until interrupted; it never fails (writes are retried). */
export function runVipController(
  options: VipControllerOptions = {},
): Effect.Effect<never, never, KubeClient> {
  const allocator = new VipAllocator();
  const known = new Set<string>();
  return runWatchLoop({
    watches: [{ kind: SERVICE_ENTRY, namespace: options.namespace }],
    watch: options.watch,
    pass: (store) => vipPass(store, { allocator, known }),
  });
}

type Spec = { resolution?: string; addresses?: string[] };

function keyOf(se: KubeObject): string {
  return `${se.metadata.namespace}/${se.metadata.name}`;
}

/** Entries with addresses first, then the others; each group oldest first, then by name. */
function inDecisionOrder(entries: readonly KubeObject[]): KubeObject[] {
  const created = (se: KubeObject) => String(se.metadata.creationTimestamp ?? "");
  const hasAddress = (se: KubeObject) =>
    ((se.spec as Spec | undefined)?.addresses ?? []).length > 0;
  return [...entries].sort((a, b) =>
    Number(hasAddress(b)) - Number(hasAddress(a)) ||
    created(a).localeCompare(created(b)) ||
    keyOf(a).localeCompare(keyOf(b))
  );
}

function vipPass(
  store: KubeStore,
  state: { allocator: VipAllocator; known: Set<string> },
): Effect.Effect<number, never, KubeClient> {
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    const entries = store.list(SERVICE_ENTRY);
    const present = new Set(entries.map(keyOf));
    for (const key of state.known) {
      if (!present.has(key)) state.allocator.release(key);
    }
    state.known.clear();
    for (const key of present) state.known.add(key);
    let failed = 0;
    for (const se of inDecisionOrder(entries)) {
      const spec = (se.spec ?? {}) as Spec;
      const decision = state.allocator.decide({
        key: keyOf(se),
        resolution: spec.resolution,
        addresses: spec.addresses,
      });
      if (decision.action === "exhausted") {
        yield* Effect.logWarning(
          `Cannot allocate a VIP for ServiceEntry "${
            keyOf(se)
          }": every address of 240.240.0.0/16 is taken`,
        );
      }
      if (decision.action !== "assign") continue;
      const written = yield* Effect.result(client.apply({
        apiVersion: se.apiVersion,
        kind: "ServiceEntry",
        metadata: {
          namespace: se.metadata.namespace,
          name: se.metadata.name,
          resourceVersion: se.metadata.resourceVersion,
        },
        spec: { addresses: [decision.address] },
      } as never, { force: false }));
      if (written._tag === "Success") {
        store.apply({ type: "Applied", kind: SERVICE_ENTRY, object: written.success });
        yield* Effect.logInfo(`Allocated VIP ${decision.address} to ServiceEntry "${keyOf(se)}"`);
      } else {
        // Decided again on the next pass (a 409 means the entry changed: its event brings one).
        state.allocator.release(keyOf(se));
        if (written.failure._tag !== "KubeConflictError") failed++;
        yield* Effect.logWarning(written.failure.message);
      }
    }
    return failed;
  });
}
