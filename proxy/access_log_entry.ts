/**
 * Builds the per-request access-log entry (spec §6.2) handed to the access-log callback.
 *
 * @module
 */
import type { Message } from "../codecs/codec.ts";
import type { AccessLogEntry } from "./config/model.ts";
import type { Downstream } from "./downstream.ts";
import type { Exchange } from "./exchange.ts";

const APP_PROTOCOL = "x-meta-protocol-application-protocol";
const REQUEST_ID = "x-request-id";

/** The entry of request `m` on `down`, routed as `ex` (if it got that far). */
export function accessLogEntry(
  down: Downstream,
  m: Message,
  ex: Exchange | undefined,
  response: Message | undefined,
  code: 0 | 1,
  details: string,
): AccessLogEntry {
  const protocol = down.listener.model.protocol;
  const headers = new Map(m.metadata);
  headers.set(APP_PROTOCOL, protocol);
  const id = ex?.mutation.get(REQUEST_ID);
  if (id !== undefined && !headers.has(REQUEST_ID)) headers.set(REQUEST_ID, id);
  const now = performance.now();
  const started = ex?.startedAt ?? now;
  return {
    startTime: Date.now() - (now - started),
    durationMs: Math.round(now - started),
    protocol,
    responseCode: code,
    responseCodeDetails: details,
    connectionTerminationDetails: "",
    upstreamTransportFailureReason: "",
    bytesSent: m.frame.length,
    bytesReceived: response?.frame.length ?? 0,
    upstreamCluster: ex?.clusterName ?? "",
    upstreamHost: ex?.host?.key ?? "",
    upstreamLocalAddress: ex?.upstreamLocalAddress ?? "",
    downstreamLocalAddress: down.localAddress,
    downstreamRemoteAddress: down.remoteAddress,
    routeName: ex?.route.name ?? "",
    requestHeaders: headers,
    responseHeaders: response ? new Map(response.metadata) : undefined,
  };
}
