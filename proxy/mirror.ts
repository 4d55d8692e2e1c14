/**
 * Request mirroring (spec §3.1): a copy of the request, with the same mutation, sent to the
 * mirror cluster on an exclusive connection; the response is read and dropped, failures are
 * silent, and the caller never waits for it.
 *
 * @module
 */
import type { Message, Mutation } from "../codecs/codec.ts";
import { random32 } from "./exchange.ts";
import type { Listener } from "./listener.ts";
import { UpstreamConnection } from "./upstream/upstream_connection.ts";

/** Sends a fire-and-forget copy of `m` to `clusterName` (unknown or empty clusters: nothing). */
export function mirror(
  listener: Listener,
  m: Message,
  mutation: Mutation,
  clusterName: string,
): void {
  const cluster = listener.core.clusters.get(clusterName);
  const host = cluster?.pick(undefined, random32());
  if (!cluster || !host) return;
  const encoded = listener.codec.encode(m, mutation);
  // A copy: the main request may rewrite its id in place before this is written.
  const bytes = (encoded.kind === "ok" ? encoded.bytes : m.frame).slice();
  let conn = host.idle.pop();
  if (!conn || conn.state === "closed") {
    if (cluster.activeConnections >= cluster.maxConnections) return;
    conn = new UpstreamConnection(host, cluster, listener.codec, { shared: false });
  }
  const c = conn;
  const oneway = m.type === "oneway";
  c.send(
    {
      upstreamId: 0,
      respond: () => {
        if (!host.removed) host.idle.push(c);
      },
      fail: () => {},
    },
    bytes,
    !oneway,
  );
  if (oneway && !host.removed) host.idle.push(c);
}
