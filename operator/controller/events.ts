/**
 * Kubernetes Events (core/v1) about Aeraki's objects, as `kubectl describe` and `kubectl get
 * events` show them: reporting controller `aeraki`, one Event per condition transition.
 *
 * @module
 */
import type { KubeObject, KubeObjectInput } from "../kube/mod.ts";
import type { EventDraft } from "./conditions.ts";

/** The controller name Events carry (`source.component`, `reportingComponent`). */
export const REPORTING_CONTROLLER = "aeraki";

/** Options of {@linkcode buildEvent}. */
export interface BuildEventOptions {
  /** This replica (`reportingInstance`). @default "aeraki" */
  readonly instance?: string;
  /** When it happened. @default now */
  readonly now?: Date;
  /** A unique suffix of the Event's name. @default random */
  readonly suffix?: string;
}

const MAX_NOTE = 1024;

/**
 * A core/v1 Event about `about`. Events of cluster-scoped objects go to namespace `default`,
 * as Kubernetes does for nodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildEvent } from "./events.ts";
 * const about = {
 *   apiVersion: "metaprotocol.aeraki.io/v1alpha1", kind: "MetaRouter",
 *   metadata: { namespace: "demo", name: "r", uid: "u1" },
 * };
 * const e = buildEvent(about, { type: "Warning", reason: "Rejected", message: "x" }, { suffix: "1" });
 * assert.equal(e.metadata.name, "r.1");
 * assert.equal(e.metadata.namespace, "demo");
 * assert.deepEqual(e.involvedObject, { ...about.metadata, apiVersion: about.apiVersion, kind: "MetaRouter" });
 * ```
 */
export function buildEvent(
  about: KubeObject,
  event: EventDraft,
  options: BuildEventOptions = {},
): KubeObjectInput & Record<string, unknown> {
  const now = (options.now ?? new Date()).toISOString().replace(/\.\d+Z$/, "Z");
  const suffix = options.suffix ??
    `${Date.now().toString(16)}${crypto.randomUUID().slice(0, 8)}`;
  const { namespace, name, uid, resourceVersion } = about.metadata;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { namespace: namespace ?? "default", name: `${name}.${suffix}` },
    involvedObject: {
      apiVersion: about.apiVersion,
      kind: about.kind,
      ...(namespace ? { namespace } : {}),
      name,
      ...(uid ? { uid } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    type: event.type,
    reason: event.reason,
    message: event.message.length <= MAX_NOTE
      ? event.message
      : `${event.message.slice(0, MAX_NOTE - 1)}…`,
    source: { component: REPORTING_CONTROLLER },
    reportingComponent: REPORTING_CONTROLLER,
    reportingInstance: options.instance ?? REPORTING_CONTROLLER,
    action: "Reconcile",
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}
