/**
 * Listeners and clusters that arrive over xDS (LDS, CDS), compiled exactly like the ones of a
 * bootstrap file: the wire resource as proto3 JSON, checked strictly against the real protos,
 * run through the same loader policy (a field we do not implement is refused) and the same
 * compilers. A resource that cannot run gives one clear error naming it and the field.
 *
 * @module
 */
import { decodeJson, lookupType } from "../../proto/mod.ts";
import type { ClusterModel, ListenerModel } from "../config/model.ts";
import { CompileContext } from "./_context.ts";
import { Normalizer, type PathNote, type Plain } from "./_normalize.ts";
import { compileCluster } from "./clusters.ts";
import { edsSubscription, type EdsSubscriptionModel } from "./compile.ts";
import { compileListener, type ListenerInputs } from "./listeners.ts";

const LISTENER = "envoy.config.listener.v3.Listener";
const CLUSTER = "envoy.config.cluster.v3.Cluster";

/** A compiled resource, or why it must be rejected. */
export type ResourceResult<T> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly error: string };

function notes(list: readonly PathNote[]): string {
  return list.map((n) => (n.path === "" ? n.message : `${n.path}: ${n.message}`)).join("; ");
}

function canonical(
  typeName: string,
  json: unknown,
  what: string,
): { ok: true; tree: Plain; ctx: CompileContext } | { ok: false; error: string } {
  const decoded = decodeJson(typeName, json, { singleAsList: true });
  if (!decoded.ok) return { ok: false, error: `Cannot use ${what}: ${notes(decoded.problems)}` };
  const norm = new Normalizer();
  const tree = norm.message(lookupType(typeName)!, json, "") as Plain | undefined;
  if (norm.problems.length > 0 || !tree) {
    return { ok: false, error: `Cannot use ${what}: ${notes(norm.problems)}` };
  }
  return { ok: true, tree, ctx: new CompileContext(norm.paths, norm.problems) };
}

function nameOf(json: unknown): string {
  const n = (json as { name?: unknown } | null)?.name;
  return typeof n === "string" ? n : "";
}

/**
 * Compiles a `Listener` received over LDS (proto3 JSON). `name` is the resource name it came
 * under; the listener must carry the same one.
 */
export function compileListenerResource(
  json: unknown,
  inputs: ListenerInputs,
): ResourceResult<{ readonly listener: ListenerModel }> {
  const what = `listener "${nameOf(json)}"`;
  const c = canonical(LISTENER, json, what);
  if (!c.ok) return c;
  const listener = compileListener(c.ctx, c.tree, inputs);
  if (c.ctx.problems.length > 0 || !listener) {
    return { ok: false, error: `Cannot use ${what}: ${notes(c.ctx.problems)}` };
  }
  return { ok: true, listener };
}

/** Compiles a `Cluster` received over CDS (proto3 JSON), with its EDS subscription. */
export function compileClusterResource(
  json: unknown,
): ResourceResult<{ readonly cluster: ClusterModel; readonly eds?: EdsSubscriptionModel }> {
  const what = `cluster "${nameOf(json)}"`;
  const c = canonical(CLUSTER, json, what);
  if (!c.ok) return c;
  const cluster = compileCluster(c.ctx, c.tree);
  const eds = edsSubscription(c.ctx, c.tree);
  if (c.ctx.problems.length > 0 || !cluster) {
    return { ok: false, error: `Cannot use ${what}: ${notes(c.ctx.problems)}` };
  }
  return { ok: true, cluster, ...(eds ? { eds } : {}) };
}
