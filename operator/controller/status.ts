/**
 * The status stage of the controller: after each reconcile, the `Accepted` and `Programmed`
 * conditions of every Aeraki object (MetaRouter, ApplicationProtocol, RedisService,
 * RedisDestination, DubboAuthorizationPolicy) are computed from the report, written through
 * the status subresource (server-side apply, field manager `aeraki`) only when they changed,
 * and each transition is recorded as a Kubernetes Event. A reconcile that changes nothing
 * writes nothing, so a restart with unchanged inputs writes no status and no Event.
 *
 * @module
 */
import { Clock, Effect, Schedule } from "effect";
import type { GenerateProblem } from "../generate/mod.ts";
import {
  AERAKI_KUBE_KINDS,
  backoff,
  type KubeClient,
  type KubeError,
  type KubeObject,
} from "../kube/mod.ts";
import type { OperatorMetricsShape } from "../metrics/mod.ts";
import {
  computeConditions,
  type Condition,
  eventsFor,
  mergeConditions,
  type ObjectFacts,
  storedConditions,
} from "./conditions.ts";
import type { ReconcileReport } from "./controller.ts";
import { buildEvent } from "./events.ts";

/** How status is written. */
export interface StatusOptions {
  /** This replica's name in Events (`reportingInstance`). @default "aeraki" */
  readonly instance?: string;
  /** Status writes at once. @default 4 */
  readonly concurrency?: number;
  /**
   * Only objects in this namespace (a namespace-scoped controller leaves cluster-scoped
   * ApplicationProtocols to the cluster-wide one). @default all
   */
  readonly namespace?: string;
  /** Retries of one write (backoff from 800 ms) before it waits for the next reconcile. @default 2 */
  readonly retries?: number;
}

/** The client, and how status and Event writes are retried and counted. */
interface Writes {
  readonly client: KubeClient["Service"];
  readonly status: (e: Effect.Effect<unknown, KubeError>) => Effect.Effect<void>;
  readonly event: (e: Effect.Effect<unknown, KubeError>) => Effect.Effect<void>;
}

const AERAKI_KINDS = new Set(AERAKI_KUBE_KINDS.map((k) => k.kind));

/** `Kind/namespace/name` (`Kind/name` when cluster-scoped), as problems name objects. */
function refOf(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/**
 * Keeps what it last wrote per object, so a status it wrote is not written again before the
 * watch brings it back. Not safe to share between concurrent callers.
 */
export class StatusWriter {
  readonly #written = new Map<string, { uid?: string; conditions: readonly Condition[] }>();

  /** A writer with fixed options. */
  constructor(readonly options: StatusOptions = {}) {}

  /**
   * Writes the conditions of `objects` (the Aeraki objects the controller's store holds) that
   * `report` changes, and their Events. Never fails: returns how many writes failed (they are
   * tried again on the next reconcile).
   */
  update(
    report: ReconcileReport,
    objects: readonly KubeObject[],
    io: { readonly client: KubeClient["Service"]; readonly metrics: OperatorMetricsShape },
  ): Effect.Effect<number> {
    const facts = factsOf(report);
    const { client, metrics } = io;
    const written = this.#written;
    const one = (o: KubeObject, now: string, write: Writes) => this.#one(o, facts(o), now, write);
    const concurrency = this.options.concurrency ?? 4;
    const namespace = this.options.namespace;
    const retry = backoff().pipe(Schedule.upTo({ times: this.options.retries ?? 2 }));
    return Effect.gen(function* () {
      const now = isoSeconds(yield* Clock.currentTimeMillis);
      const live = new Set(objects.map(refOf));
      for (const ref of written.keys()) if (!live.has(ref)) written.delete(ref);
      let failures = 0;
      const count = (operation: string) => (e: Effect.Effect<unknown, KubeError>) =>
        e.pipe(
          Effect.retry(retry),
          Effect.tap(() => Effect.sync(() => metrics.writes.inc({ operation, result: "success" }))),
          Effect.catchTag("KubeNotFoundError", () => Effect.void),
          Effect.catch((err) =>
            Effect.andThen(
              Effect.sync(() => {
                failures++;
                metrics.writes.inc({ operation, result: "failure" });
              }),
              Effect.logWarning(err.message),
            )
          ),
          Effect.asVoid,
        );
      yield* Effect.forEach(
        objects.filter((o) =>
          AERAKI_KINDS.has(o.kind) &&
          (namespace === undefined || o.metadata.namespace === namespace)
        ),
        (o) => one(o, now, { client, status: count("status"), event: count("event") }),
        { concurrency, discard: true },
      );
      return failures;
    });
  }

  #one(
    o: KubeObject,
    found: ObjectFacts & { readonly wrote: boolean },
    now: string,
    io: Writes,
  ): Effect.Effect<void> {
    const ref = refOf(o);
    const cached = this.#written.get(ref);
    const before = cached && cached.uid === o.metadata.uid
      ? cached.conditions
      : storedConditions(o.status);
    const next = mergeConditions(before, computeConditions(found), now);
    const events = eventsFor(before, next.conditions, { wrote: found.wrote });
    if (!next.changed && events.length === 0) return Effect.void;
    const written = this.#written;
    const instance = this.options.instance;
    return Effect.gen(function* () {
      if (next.changed) {
        const { name, namespace } = o.metadata;
        let ok = false;
        yield* io.status(
          Effect.tap(
            io.client.applyStatus({
              apiVersion: o.apiVersion,
              kind: o.kind,
              metadata: namespace ? { name, namespace } : { name },
              status: { conditions: next.conditions },
            }),
            () => Effect.sync(() => void (ok = true)),
          ),
        );
        // Not written: the Events wait for the write that records the transition.
        if (!ok) return;
        written.set(ref, { uid: o.metadata.uid, conditions: next.conditions });
      }
      for (const e of events) yield* io.event(io.client.apply(buildEvent(o, e, { instance })));
    });
  }
}

/** The facts of each object from one report. */
function factsOf(
  report: ReconcileReport,
): (o: KubeObject) => ObjectFacts & { readonly wrote: boolean } {
  const sourcesOf = report.sourcesOf ?? (() => []);
  const own = new Map<string, GenerateProblem[]>();
  const troubles = new Map<string, Set<string>>();
  for (const p of report.problems) {
    own.set(p.object, [...(own.get(p.object) ?? []), p]);
    if (p.warning) continue;
    for (const s of sourcesOf(p.object)) {
      troubles.set(s, (troubles.get(s) ?? new Set()).add(p.object));
    }
  }
  const kept = new Set(report.kept);
  const applied = new Set(report.applied);
  return (o) => {
    const ref = refOf(o);
    const sources = sourcesOf(ref);
    const filters = [
      ...new Set(
        sources.flatMap((s) =>
          (report.held?.get(s) ?? []).map((ef) => `${ef.metadata.namespace}/${ef.metadata.name}`)
        ),
      ),
    ].sort();
    const keptHere = sources.filter((s) => kept.has(s));
    const because = [...new Set(keptHere.flatMap((s) => [...(troubles.get(s) ?? [])]))]
      .filter((x) => x !== ref).sort();
    const failed = report.failed.map((e) => e.message).filter((m) =>
      filters.some((f) => m.includes(`"${f}"`))
    );
    return {
      generation: o.metadata.generation,
      problems: own.get(ref) ?? [],
      sources,
      envoyFilters: filters,
      kept: keptHere,
      keptBecause: because,
      failed,
      feedsOn: feedsOn(o),
      wrote: filters.some((f) => applied.has(`EnvoyFilter/${f}`)),
    };
  };
}

/** What a service must have to use `o`, for the message when none does. */
function feedsOn(o: KubeObject): string {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  switch (o.kind) {
    case "ApplicationProtocol":
      return `a port named "tcp-metaprotocol-${String(spec.protocol ?? "")}-…"`;
    case "DubboAuthorizationPolicy":
      return `a Dubbo port in namespace "${o.metadata.namespace ?? ""}"`;
    default: {
      const hosts = [spec.hosts, spec.host].flat().filter((h) => typeof h === "string");
      return hosts.length > 0 ? `host ${hosts.map((h) => `"${h}"`).join(", ")}` : "its host";
    }
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}
