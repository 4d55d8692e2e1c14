/**
 * The request half of a downstream connection's message path (spec §0 steps 3–6): a
 * decoded message is answered locally (heartbeat, stream frame, no route, rate limited) or
 * routed: the decoder filters in configuration order, then the router, which builds the
 * mutation and starts the {@link Exchange} and the mirrors. Plain synchronous code except
 * the global rate-limit call.
 *
 * Hold rule: `hold` keeps the message's read chunk from being written over. A path that
 * keeps the message beyond the call (an exchange, a global rate-limit call) owns the hold
 * and returns true; a path that answered at once returns false and the caller releases it.
 *
 * @module
 */
import type { Message, Mutation } from "../codecs/codec.ts";
import type { GlobalRateLimitFilterModel } from "./config/model.ts";
import type { Downstream } from "./downstream.ts";
import { Exchange, random32 } from "./exchange.ts";
import { askRateLimit } from "./filters/global_ratelimit.ts";
import { mirror } from "./mirror.ts";
import { type Hold, release } from "./net/read_buffer.ts";
import { tick } from "./net/clock.ts";
import { type CompiledRoute, matchesAll, shouldMirror } from "./route/route_table.ts";
import { traceRequest } from "./tracing/mod.ts";

const REQUEST_ID = "x-request-id";

/** Handles one decoded message of `down`; see the module doc for `hold` and the result. */
export function handleMessage(down: Downstream, m: Message, hold: Hold): boolean {
  const listener = down.listener;
  const stats = listener.stats;
  if (m.type === "heartbeat") {
    stats.requestEvent.inc();
    const reply = listener.codec.heartbeatReply(m);
    if (reply) down.write(reply);
    return false;
  }
  stats.requestDecodingSuccess.inc();
  if (m.type !== "request" && m.type !== "oneway") {
    if (m.type === "stream_init") {
      down.localReply(m, "Unspecified", "meta protocol router: streaming calls are not supported");
    }
    return false; // stream frames and stray responses are dropped
  }
  const route = listener.routeTable()?.match(m.metadata, listener.model.protocol);
  if (!route) {
    down.log(m, undefined, undefined, 1, "no_matched_route");
    down.localReply(
      m,
      "RouteNotFound",
      `meta protocol router: no matched route for request '${m.requestId}'`,
    );
    return false;
  }
  return runFilters(down, m, route, 0, undefined, hold);
}

/** Runs the filter chain from filter `from`; `extra` collects filter-added mutation. */
function runFilters(
  down: Downstream,
  m: Message,
  route: CompiledRoute,
  from: number,
  extra: Map<string, string> | undefined,
  hold: Hold,
): boolean {
  const listener = down.listener;
  const filters = listener.filters;
  for (let i = from; i < filters.length; i++) {
    const f = filters[i];
    switch (f.kind) {
      case "local_ratelimit":
        if (!f.limiter.allow(m.metadata)) {
          down.localReply(
            m,
            "OverLimit",
            `meta protocol local rate limit: request '${m.requestId}' has been rate limited`,
          );
          return false;
        }
        break;
      case "ratelimit":
        if (f.matchers.length > 0 && matchesAll(f.matchers, m.metadata, listener.model.protocol)) {
          globalRateLimit(down, m, route, i, extra, f.model, hold);
          return true;
        }
        break;
      case "metadata_exchange":
        if (listener.model.direction === "outbound") {
          extra ??= new Map();
          extra.set("x-envoy-peer-metadata", f.model.peerMetadata);
          extra.set("x-envoy-peer-metadata-id", f.model.peerMetadataId);
        }
        break;
      case "router":
        return routeMessage(down, m, route, extra, hold);
    }
  }
  return routeMessage(down, m, route, extra, hold);
}

function globalRateLimit(
  down: Downstream,
  m: Message,
  route: CompiledRoute,
  index: number,
  extra: Map<string, string> | undefined,
  model: GlobalRateLimitFilterModel,
  hold: Hold,
): void {
  const options = down.listener.core.options.rateLimit;
  askRateLimit(options, model, m.metadata).then((allowed) => {
    tick();
    if (!down.open) return release(hold);
    if (allowed) {
      if (!runFilters(down, m, route, index + 1, extra, hold)) release(hold);
      return;
    }
    down.localReply(
      m,
      "OverLimit",
      `meta protocol global ratelimit: request '${m.requestId}' has been rate limited`,
    );
    release(hold);
  });
}

/** The router: builds the mutation, starts the exchange and the mirrors. */
function routeMessage(
  down: Downstream,
  m: Message,
  route: CompiledRoute,
  extra: Map<string, string> | undefined,
  hold: Hold,
): boolean {
  const listener = down.listener;
  const stats = listener.stats;
  stats.request.inc();
  if (m.type === "oneway") stats.requestOneway.inc();
  else stats.requestTwoway.inc();
  let mutation: Mutation = route.requestMutation;
  // A generated id is only worth its cost where it can go: into the message (a codec
  // that can carry headers) or into the access log.
  const needsId = (listener.model.accessLogs.length > 0 ||
    listener.codec.canMutate?.(m) !== false) && !m.metadata.has(REQUEST_ID);
  const tracing = listener.tracing;
  if (needsId || extra || tracing) {
    const mm = new Map<string, string>();
    if (needsId) mm.set(REQUEST_ID, crypto.randomUUID());
    if (extra) { for (const [k, v] of extra) mm.set(k, v); }
    for (const [k, v] of route.requestMutation) mm.set(k, v);
    if (tracing) traceRequest(tracing, m.metadata, mm);
    mutation = mm;
  }
  const ex = new Exchange(down, m, route, mutation);
  ex.hold = hold;
  down.admit(ex);
  const mirrors = route.mirrors;
  for (let i = 0; i < mirrors.length; i++) {
    const policy = mirrors[i];
    if (shouldMirror(policy, random32())) mirror(listener, m, mutation, policy.cluster);
  }
  ex.start();
  const conn = ex.conn;
  if (conn && conn.high) down.blockOn(conn);
  return true;
}
