/**
 * Test helpers: Thrift upstreams and clients for proxy tests — a real library server, raw
 * servers that misbehave on purpose, and the library's framed-binary client.
 *
 * @module
 */
import {
  connectClient,
  libWrite,
  type Stack,
  STACKS,
  startServer,
} from "../codecs/thrift/_test_peer.ts";
import { SayHelloResult, Thrift } from "../codecs/thrift/_test_service.ts";
import type { Handler } from "../codecs/thrift/_test_service_rpc.ts";

/** The framed strict-binary stack of the thrift library. */
export const FRAMED = STACKS.find((s) => s.name === "framed/binary")!;

/** A real library server (framed binary by default) answering `hello <name>` (and `<tag>` if given). */
export function helloServer(
  tag = "",
  more: Partial<Handler> = {},
  stack: Stack = FRAMED,
): ReturnType<typeof startServer> {
  return startServer(stack, {
    sayHello: (req, result) => result(null, `hello ${req?.name}${tag}`),
    ping: () => {},
    ...more,
  });
}

/** A framed-binary reply to `sayHello` with `seqid`, as the library writes it. */
export function helloReply(seqid: number, text: string): Uint8Array {
  return libWrite(FRAMED, (p) => {
    p.writeMessageBegin("sayHello", Thrift.MessageType.REPLY, seqid);
    new SayHelloResult({ success: text }).write(p);
    p.writeMessageEnd();
  });
}

/** A raw TCP server whose connections are handed to `onConn`. */
export function rawServer(
  onConn: (conn: Deno.TcpConn) => void | Promise<void>,
): { port: number; close(): void; conns: Deno.TcpConn[] } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.TcpConn[] = [];
  (async () => {
    try {
      for await (const c of listener) {
        conns.push(c);
        Promise.resolve(onConn(c)).catch(() => {});
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    conns,
    close: () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

/** Reads one framed Thrift frame from `conn`; undefined at end of stream. */
export async function readFrame(conn: Deno.Conn): Promise<Uint8Array | undefined> {
  const head = new Uint8Array(4);
  if (!(await readFull(conn, head))) return undefined;
  const size = new DataView(head.buffer).getInt32(0);
  const body = new Uint8Array(size);
  if (!(await readFull(conn, body))) return undefined;
  const out = new Uint8Array(4 + size);
  out.set(head);
  out.set(body, 4);
  return out;
}

async function readFull(conn: Deno.Conn, into: Uint8Array): Promise<boolean> {
  let have = 0;
  while (have < into.length) {
    const n = await conn.read(into.subarray(have)).catch(() => null);
    if (n === null) return false;
    have += n;
  }
  return true;
}

/** The seqid of a framed strict-binary message. */
export function seqidOf(frame: Uint8Array): number {
  const v = new DataView(frame.buffer, frame.byteOffset);
  return v.getInt32(12 + v.getInt32(8));
}

/** Connects the library's framed-binary client to `port`. */
export function framedClient(port: number): ReturnType<typeof connectClient> {
  return connectClient(FRAMED, port);
}
