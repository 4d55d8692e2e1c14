/**
 * The bytes that cross the proxy: a request with its mutation encoded and, on a shared
 * upstream connection, the proxy's request id; a response with its mutation (route
 * `response_mutation`, spec §9.4, plus inbound metadata exchange) and the client's id
 * back. Mutation first, id last: a mutation may move the id, so a changed frame is decoded
 * again before its id is rewritten.
 *
 * @module
 */
import type { Message } from "../codecs/codec.ts";
import type { Exchange } from "./exchange.ts";
import type { Listener } from "./listener.ts";
import type { UpstreamConnection } from "./upstream/upstream_connection.ts";

/**
 * The request bytes of `ex` for `conn`; allocates the upstream id on shared connections.
 * `undefined` when the codec cannot carry that id. A mutation the message cannot carry is
 * dropped and, when the route asked for one, counted (`request_mutation_unsupported`).
 */
export function upstreamBytes(
  listener: Listener,
  ex: Exchange,
  conn: UpstreamConnection,
): Uint8Array | undefined {
  const codec = listener.codec;
  let m = ex.request;
  let bytes = m.frame;
  if (ex.mutation.size > 0) {
    const r = codec.canMutate?.(m) === false ? undefined : codec.encode(m, ex.mutation);
    if (r?.kind === "ok") bytes = r.bytes;
    else if (ex.route.requestMutation.size > 0) listener.stats.requestMutationUnsupported.inc();
  }
  if (!conn.shared) return bytes;
  if (bytes !== m.frame) {
    if (codec.requestIdInFixedHeader) m = { ...m, frame: bytes };
    else {
      const again = codec.decode(bytes, listener.decodeOptions);
      if (again.kind !== "message") return undefined;
      m = again.message;
    }
  }
  ex.upstreamId = conn.allocateId();
  return codec.rewriteRequestId!(m, BigInt(ex.upstreamId));
}

/** The response bytes for the client of `ex`; `undefined` if its id cannot be restored. */
export function downstreamBytes(
  listener: Listener,
  ex: Exchange,
  response: Message,
  shared: boolean,
): Uint8Array | undefined {
  const codec = listener.codec;
  let m = response;
  let bytes = m.frame;
  let mutation = ex.route.responseMutation;
  const extra = listener.responseExtra;
  if (extra) mutation = new Map([...extra, ...mutation]);
  if (mutation.size > 0) {
    const r = codec.encode(m, mutation);
    if (r.kind === "ok" && r.bytes !== m.frame) {
      const again = codec.decode(r.bytes, { side: "response" });
      if (again.kind === "message") {
        m = again.message;
        bytes = r.bytes;
      }
    }
  }
  return shared ? codec.rewriteRequestId!(m, ex.request.requestId) : bytes;
}
