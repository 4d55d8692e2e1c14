/**
 * A small Dubbo peer over Deno sockets with hessian.js bodies: a provider answering
 * `sayHello(name)` with `hello <name> from <version>`, and a client calling it. Used by the
 * `aeraki local` demo (examples/local) and its test.
 *
 * @module
 */
import {
  dubboFrame,
  dubboFrames,
  hessianBody,
  hessianRead,
  requestFrame,
} from "../codecs/dubbo/_testing.ts";

/** The demo's Dubbo interface. */
export const DUBBO_HELLO_INTERFACE = "org.apache.dubbo.samples.basic.api.DemoService";

const idOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getBigInt64(4);

/** A provider on `127.0.0.1:port` (0 picks one); heartbeats are answered too. */
export function startDubboHello(
  version: string,
  port = 0,
): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns = new Set<Deno.Conn>();
  const serve = async (c: Deno.Conn) => {
    conns.add(c);
    for await (const f of dubboFrames(c)) {
      if ((f[2] & 0x20) !== 0) {
        await c.write(dubboFrame(0x22, 20, idOf(f), hessianBody(null))).catch(() => {});
        continue;
      }
      const args = hessianRead(f.subarray(16), 6);
      const body = hessianBody(1, `hello ${args[5]} from ${version}`);
      await c.write(dubboFrame(0x02, 20, idOf(f), body)).catch(() => {});
    }
    conns.delete(c);
  };
  (async () => {
    for await (const c of listener) void serve(c);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      listener.close();
      for (const c of conns) c.close();
    },
  };
}

/** A client connection calling `sayHello` one request at a time. */
export async function connectDubboHello(
  hostname: string,
  port: number,
): Promise<{ sayHello(name: string): Promise<string>; close(): void }> {
  const conn = await Deno.connect({ hostname, port });
  const replies = dubboFrames(conn);
  let id = 0n;
  return {
    async sayHello(name) {
      await conn.write(requestFrame({ path: DUBBO_HELLO_INTERFACE, args: [name] }, ++id));
      const r = await replies.next();
      if (r.done) throw new Error("Cannot read the reply: the connection closed");
      if (r.value[3] !== 20) throw new Error(`Dubbo call failed: status ${r.value[3]}`);
      return hessianRead(r.value.subarray(16), 2)[1] as string;
    },
    close: () => conn.close(),
  };
}
