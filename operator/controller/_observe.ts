/**
 * What the controller records about itself, and which watched changes start a reconcile.
 *
 * @module
 */
import { AERAKI_KUBE_KINDS, type StoreChange } from "../kube/mod.ts";
import type { OperatorMetricsShape } from "../metrics/mod.ts";
import type { ReconcileReport } from "./controller.ts";

const WITH_STATUS = new Set(AERAKI_KUBE_KINDS.map((k) => `${k.group}/${k.kind}`));

/**
 * Whether a store change can change what is generated: not an update of an Aeraki object
 * that kept its generation, labels and annotations (its status, written by the controller
 * itself, is all that changed), as upstream's predicates ignore status-only updates.
 */
export function triggersReconcile(change: StoreChange): boolean {
  if (change.type !== "Updated" || !change.previous) return true;
  if (!WITH_STATUS.has(`${change.kind.group}/${change.kind.kind}`)) return true;
  const [a, b] = [change.previous.metadata, change.object.metadata];
  return a.generation === undefined || a.generation !== b.generation ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    a.deletionTimestamp !== b.deletionTimestamp;
}

/** Records one reconcile (`undefined`: it died on a defect) and how long it took. */
export function recordReconcile(
  metrics: OperatorMetricsShape,
  report: ReconcileReport | undefined,
  ms: number,
): void {
  metrics.reconcileDuration.observe(ms / 1000);
  if (report === undefined) {
    metrics.reconciles.inc({ result: "error" });
    return;
  }
  metrics.reconciles.inc({ result: report.failed.length > 0 ? "failure" : "success" });
  const writes = (operation: string, result: string, n: number) => {
    if (n > 0) metrics.writes.inc({ operation, result }, n);
  };
  writes("apply", "success", report.applied.length);
  writes("prune", "success", report.pruned.length);
  const pruneFailures = report.failed.filter((e) => e.message.startsWith("Cannot delete")).length;
  writes("prune", "failure", pruneFailures);
  writes("apply", "failure", report.failed.length - pruneFailures);
  const errors = report.problems.filter((p) => !p.warning).length;
  metrics.problems.set(errors, { severity: "error" });
  metrics.problems.set(report.problems.length - errors, { severity: "warning" });
  metrics.kept.set(report.kept.length);
}
