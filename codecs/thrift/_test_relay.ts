/**
 * Test helper: a loopback TCP relay that feeds every chunk in both directions through the
 * Thrift codec, records the decoded messages, writes a mutation into forwarded requests and
 * can answer a request itself with the codec's error reply.
 *
 * @module
 */
import type { Message, Mutation, Side } from "../codec.ts";
import { thriftCodec } from "./thrift_codec.ts";

/** What the relay does with requests. */
export interface RelayOptions {
  /** Written into every forwarded request with `encode`. */
  readonly mutation?: Mutation;
  /** Returns bytes to send back to the client instead of forwarding the request. */
  readonly answer?: (request: Message) => Uint8Array | undefined;
}

/** A running relay. */
export interface Relay {
  readonly port: number;
  readonly requests: Message[];
  readonly responses: Message[];
  /** Problems seen (invalid frames, unsupported mutations); a test expects none. */
  readonly problems: string[];
  /** Stops accepting and waits for every relayed connection to finish. */
  close(): Promise<void>;
}

/** Starts a relay to `upstreamPort` on a random loopback port. */
export function startRelay(upstreamPort: number, options: RelayOptions = {}): Relay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: Message[] = [];
  const responses: Message[] = [];
  const problems: string[] = [];
  const sessions: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const down of listener) {
        sessions.push(session(down));
      }
    } catch {
      // The listener was closed.
    }
  })();

  async function session(down: Deno.Conn): Promise<void> {
    const up = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
    await Promise.all([
      pump(down, up, "request", (m) => {
        requests.push(m);
        const answer = options.answer?.(m);
        if (answer) return { to: down, bytes: answer };
        const encoded = thriftCodec.encode(m, options.mutation ?? new Map());
        if (encoded.kind === "unsupported") {
          problems.push(encoded.reason);
          return { to: up, bytes: m.frame };
        }
        return { to: up, bytes: encoded.bytes };
      }),
      pump(up, down, "response", (m) => {
        responses.push(m);
        return { to: down, bytes: m.frame };
      }),
    ]);
    down.close();
    up.close();
  }

  async function pump(
    from: Deno.Conn,
    to: Deno.Conn,
    side: Side,
    route: (m: Message) => { to: Deno.Conn; bytes: Uint8Array },
  ): Promise<void> {
    let pending: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(chunk);
        if (n === null) break;
        pending = concat(pending, chunk.subarray(0, n));
        for (;;) {
          const result = thriftCodec.decode(pending, { side });
          if (result.kind === "need-more") break;
          if (result.kind === "invalid") {
            problems.push(`${side}: ${result.reason} at ${result.offset}`);
            return;
          }
          const { to: target, bytes } = route(result.message);
          await writeAll(target, bytes);
          pending = pending.slice(result.bytesConsumed);
        }
      }
    } catch (e) {
      problems.push(`${side}: ${e}`);
    } finally {
      await to.closeWrite().catch(() => {});
    }
  }

  return {
    port: (listener.addr as Deno.NetAddr).port,
    requests,
    responses,
    problems,
    async close() {
      listener.close();
      await accepting;
      await Promise.all(sessions);
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}
