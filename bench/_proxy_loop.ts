/**
 * A quick closed-loop load against the proxy for profiling (not a benchmark of record):
 * Thrift framed binary calls of 128 bytes from N connections to a raw-socket server that
 * answers each call with a reply carrying the same seqid.
 *
 * Usage: deno run -A bench/_proxy_loop.ts [connections=128] [seconds=5] [mux=1] [direct=0]
 * With PROXY_PORT set, load goes to that port and the server listens on SERVER_PORT (to run
 * the proxy in its own process: `deno run -A bench/_proxy_loop.ts proxy SERVER_PORT MUX`).
 *
 * @module
 */
import { startProxy } from "../proxy/proxy.ts";
import { testCluster, testModel, testRoute } from "../proxy/_testing.ts";

if (Deno.args[0] === "proxy") {
  const proxy = await startProxy(
    testModel(
      "aeraki.meta_protocol.codec.thrift",
      "thrift",
      [testRoute("hello", { method: "sayHello" })],
      [testCluster("hello", [Number(Deno.args[1])])],
      { multiplexing: Deno.args[2] === "1", port: 19099 },
    ),
  );
  console.log("proxy on", proxy.ports.get("test"));
  await new Promise(() => {});
}

const [conns = 128, seconds = 5, mux = 1, direct = 0] = Deno.args.map(Number);
const external = Deno.env.get("PROXY_PORT");

function call(seq: number): Uint8Array {
  const name = new TextEncoder().encode("sayHello");
  const size = 128;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setInt32(0, size - 4);
  v.setUint16(4, 0x8001);
  v.setUint16(6, 1);
  v.setInt32(8, name.length);
  b.set(name, 12);
  v.setInt32(12 + name.length, seq);
  // field 1 string filler, then stop
  let p = 16 + name.length;
  b[p++] = 11;
  v.setInt16(p, 1);
  p += 2;
  const len = size - p - 4 - 1 - 1;
  v.setInt32(p, len);
  p += 4 + len;
  b[p++] = 0; // stop args
  return b.subarray(0, p);
}

function fix(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset).setInt32(0, b.length - 4);
  return b;
}

/** A server answering every framed call with a small reply of the same seqid. */
function server(at: number): { port: number; close(): void } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: at });
  (async () => {
    for await (const c of l) {
      (async () => {
        const buf = new Uint8Array(1 << 20);
        let have = 0;
        try {
          while (true) {
            const n = await c.read(buf.subarray(have));
            if (n === null) break;
            have += n;
            let off = 0;
            const out: Uint8Array[] = [];
            while (have - off >= 4) {
              const len = new DataView(buf.buffer, off).getInt32(0) + 4;
              if (have - off < len) break;
              const nameLen = new DataView(buf.buffer, off + 8).getInt32(0);
              const seq = new DataView(buf.buffer, off + 12 + nameLen).getInt32(0);
              const r = new Uint8Array(4 + 8 + nameLen + 4 + 1 + 2 + 4 + 2 + 1);
              const v = new DataView(r.buffer);
              v.setInt32(0, r.length - 4);
              v.setUint16(4, 0x8001);
              v.setUint16(6, 2);
              v.setInt32(8, nameLen);
              r.set(buf.subarray(off + 12, off + 12 + nameLen), 12);
              let p = 12 + nameLen;
              v.setInt32(p, seq);
              p += 4;
              r[p++] = 11;
              v.setInt16(p, 0);
              p += 2;
              v.setInt32(p, 2);
              p += 4;
              r[p++] = 0x68;
              r[p++] = 0x69;
              r[p++] = 0;
              out.push(r);
              off += len;
            }
            buf.copyWithin(0, off, have);
            have -= off;
            const total = out.reduce((s, r) => s + r.length, 0);
            const joined = new Uint8Array(total);
            let q = 0;
            for (const r of out) joined.set(r, (q += r.length) - r.length);
            let w = 0;
            while (w < joined.length) w += await c.write(joined.subarray(w));
          }
        } catch { /* closed */ }
        try {
          c.close();
        } catch { /* */ }
      })();
    }
  })();
  return { port: (l.addr as Deno.NetAddr).port, close: () => l.close() };
}

const s = server(Number(Deno.env.get("SERVER_PORT") ?? 0));
const proxy = direct || external ? undefined : await startProxy(
  testModel(
    "aeraki.meta_protocol.codec.thrift",
    "thrift",
    [
      testRoute("hello", { method: "sayHello" }),
    ],
    [testCluster("hello", [s.port])],
    { multiplexing: mux === 1 },
  ),
);
const port = external ? Number(external) : proxy ? proxy.ports.get("test")! : s.port;

let done = 0;
const lat: number[] = [];
let stop = false;
async function client(): Promise<void> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  c.setNoDelay(true);
  const buf = new Uint8Array(4096);
  let seq = 0;
  while (!stop) {
    const req = fix(call(++seq).slice());
    const t0 = performance.now();
    await c.write(req);
    let have = 0;
    while (true) {
      const n = await c.read(buf.subarray(have));
      if (n === null) throw new Error("closed");
      have += n;
      if (have >= 4 && have >= new DataView(buf.buffer).getInt32(0) + 4) break;
    }
    lat.push(performance.now() - t0);
    done++;
  }
  c.close();
}
const t0 = performance.now();
const clients = Array.from({ length: conns }, () => client());
await new Promise((r) => setTimeout(r, seconds * 1000));
stop = true;
await Promise.allSettled(clients);
const elapsed = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
console.log(JSON.stringify({
  conns,
  mux,
  direct,
  rps: Math.round(done / elapsed),
  p50: lat[Math.floor(lat.length * 0.5)]?.toFixed(3),
  p99: lat[Math.floor(lat.length * 0.99)]?.toFixed(3),
}));
await proxy?.close();
s.close();
Deno.exit(0);
