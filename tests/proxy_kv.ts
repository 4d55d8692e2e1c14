/**
 * Test helpers: the toy KV-RPC codec (examples/codecs/kv_codec.ts) as the proxy core's fake
 * codec (STYLE A5), with a request-id rewrite so it can be multiplexed, a scripted server
 * and a client that matches replies by id.
 *
 * @module
 */
import type { Codec, Message } from "../codecs/codec.ts";
import { kvCodec, kvFrame } from "../examples/codecs/kv_codec.ts";

/** The KV codec plus an in-place request-id rewrite (u32 at offset 4). */
export const muxKvCodec: Codec = {
  ...kvCodec,
  rewriteRequestId(message: Message, id: bigint): Uint8Array | undefined {
    if (id < 0n || id > 0xffffffffn) return undefined;
    new DataView(message.frame.buffer, message.frame.byteOffset).setUint32(4, Number(id));
    return message.frame;
  },
};

/** Codecs for startProxy: the KV codec under its name. */
export const KV_CODECS = new Map([[kvCodec.name, muxKvCodec]]);

/** Decodes every KV frame arriving on `conn`, calling `onMessage` for each. */
export async function readKv(
  conn: Deno.Conn,
  side: "request" | "response",
  onMessage: (m: Message) => void,
): Promise<void> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  while (true) {
    const n = await conn.read(chunk).catch(() => null);
    if (n === null) return;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
    while (true) {
      const r = kvCodec.decode(buf, { side });
      if (r.kind !== "message") break;
      onMessage({ ...r.message, frame: r.message.frame.slice() } as Message);
      buf = buf.slice(r.bytesConsumed);
    }
  }
}

/** What a scripted server does with a request: reply lines, nothing, or close. */
export type KvAction = readonly (readonly [string, string])[] | "hang" | "close";

/** A KV server answering each request by `script(request, count)`. */
export function kvServer(script: (m: Message, n: number) => KvAction) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.TcpConn[] = [];
  let count = 0;
  (async () => {
    try {
      for await (const c of listener) {
        conns.push(c);
        readKv(c, "request", (m) => {
          const action = script(m, ++count);
          if (action === "hang" || m.type === "oneway") return;
          if (action === "close") return c.close();
          c.write(kvFrame(2, Number(m.requestId), action)).catch(() => {});
        });
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    conns,
    get count() {
      return count;
    },
    close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

/** A KV client: `call` sends a request and resolves with the reply of the same id. */
export async function kvClient(port: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const waiting = new Map<number, (m: Message) => void>();
  let nextId = 1;
  let closedResolve: () => void;
  const closed = new Promise<void>((r) => closedResolve = r);
  readKv(conn, "response", (m) => {
    const id = Number(m.requestId);
    waiting.get(id)?.(m);
    waiting.delete(id);
  }).finally(() => closedResolve());
  return {
    conn,
    closed,
    call(lines: readonly (readonly [string, string])[], id = nextId++): Promise<Message> {
      const reply = new Promise<Message>((r) => waiting.set(id, r));
      conn.write(kvFrame(1, id, lines)).catch(() => {});
      return reply;
    },
    send(kind: number, id: number, lines: readonly (readonly [string, string])[] = []) {
      return conn.write(kvFrame(kind, id, lines));
    },
    close() {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}
