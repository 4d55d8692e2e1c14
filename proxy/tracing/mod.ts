/**
 * Tracing on the request path (data-plane spec §6.3): {@link traceRequest} decides and puts
 * the trace headers into a request's mutation when it is routed; {@link finishSpan} turns a
 * finished request whose mutation carries a sampled span into a Zipkin span for the
 * listener's collector. The reporter ({@link ZipkinReporter}) sends them off the request path.
 *
 * @module
 */
import type { AccessLogEntry } from "../config/edges.ts";
import { b3Headers, decideTrace, spanOf, startSpan } from "./trace_context.ts";
import { type Collector, type ZipkinSpan, zipkinSpan } from "./zipkin.ts";

export { type Collector, ZipkinReporter, type ZipkinSpan } from "./zipkin.ts";
export { decideTrace, traceStatusOf } from "./trace_context.ts";

/** Zipkin collector settings (`envoy.config.trace.v3.ZipkinConfig`). */
export interface ZipkinModel {
  readonly kind: "zipkin";
  readonly collectorCluster: string;
  readonly collectorEndpoint: string;
  readonly collectorHostname: string;
  readonly traceId128bit: boolean;
  readonly sharedSpanContext: boolean;
}

/** A listener's tracing (the MetaProtocol `Tracing` message, spec §2.1, §6.3). */
export interface TracingModel {
  /** Percentages 0–100. */
  readonly clientSampling: number;
  readonly randomSampling: number;
  readonly overallSampling: number;
  readonly verbose: boolean;
  readonly maxTagLength: number;
  /** The collector; absent when neither the filter nor the bootstrap names one we support. */
  readonly provider?: ZipkinModel;
  /** The bootstrap's `node.cluster` (the spans' service name) and `node.id` (a span tag). */
  readonly serviceName?: string;
  readonly nodeId?: string;
}

const REQUEST_ID = "x-request-id";

/**
 * Decides whether a request with `metadata` is traced and writes into `mutation` its
 * `x-request-id` (generated, or with the decision packed in) and the `x-b3-*` headers of the
 * span this hop opens. Call only for listeners whose tracing has a provider.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceRequest } from "./mod.ts";
 * const mutation = new Map<string, string>();
 * traceRequest({
 *   clientSampling: 100, randomSampling: 100, overallSampling: 100, verbose: false,
 *   maxTagLength: 256,
 * }, new Map(), mutation);
 * assert.equal(mutation.get("x-b3-sampled"), "1");
 * assert.equal(mutation.get("x-request-id")?.[14], "9");
 * ```
 */
export function traceRequest(
  t: TracingModel,
  metadata: ReadonlyMap<string, string>,
  mutation: Map<string, string>,
): void {
  const incoming = metadata.get(REQUEST_ID);
  const id = mutation.get(REQUEST_ID) ?? incoming ?? crypto.randomUUID();
  const d = decideTrace(t, id, metadata, Math.random());
  if (d.requestId !== incoming) mutation.set(REQUEST_ID, d.requestId);
  const span = startSpan(metadata, d.traced, t.provider?.traceId128bit ?? false);
  for (const [k, v] of b3Headers(span)) mutation.set(k, v);
}

/** The Zipkin span of a finished request, when its mutation carries a sampled span. */
export function finishSpan(
  t: TracingModel,
  direction: "inbound" | "outbound" | "unspecified" | undefined,
  mutation: ReadonlyMap<string, string>,
  entry: () => AccessLogEntry,
): ZipkinSpan | undefined {
  const span = spanOf(mutation);
  if (!span?.sampled) return undefined;
  return zipkinSpan(entry(), {
    span,
    direction,
    serviceName: t.serviceName || "unknown",
    nodeId: t.nodeId ?? "",
    maxTagLength: t.maxTagLength,
  });
}

/** A host of the tracing's collector cluster among `clusters`, or `undefined` when it has none. */
export function collectorOf(
  clusters: ReadonlyMap<
    string,
    { pick(hash: undefined, random: number): { address: string; port: number } | undefined }
  >,
  t: TracingModel,
): Collector | undefined {
  const p = t.provider;
  const host = p && clusters.get(p.collectorCluster)?.pick(undefined, Math.random());
  return host && {
    host: host.address,
    port: host.port,
    hostname: p.collectorHostname,
    endpoint: p.collectorEndpoint,
  };
}
