/**
 * The benchmark's test peer written in Deno, the same two roles and flags as the Go peer
 * (`peer/`): `load` (closed-loop load generator) and `serve` (echo upstream). Kept so the two
 * can be compared (bench/proxy/README.md says which is cheaper); the harness uses it with
 * `--peer=deno`. Hot paths use `Deno.Conn` reads into reused buffers and one write per batch.
 *
 * Run: `deno run --allow-all bench/proxy/deno_peer.ts load --addr=127.0.0.1:9090 --proto=thrift
 * --request=FILE --c=32 --d=10s` or `... serve --proto=dubbo --reply=FILE`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Histogram } from "./_hist.ts";
import { cpuTicks } from "./_proc.ts";
import { type PeerProto, protoByName } from "./_peer_proto.ts";

const MAX_DEPTH = 64;

/** Parses a Go-style duration such as `10s`, `500ms` or `1m` into ms. */
function durationMs(text: string): number {
  const m = text.match(/^(\d+(?:\.\d+)?)(ms|s|m)$/);
  if (!m) throw new Error(`Cannot read the duration "${text}": use e.g. 10s or 500ms`);
  return Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "s" ? 1000 : 60000);
}

const nowNs = () => performance.now() * 1e6;

interface Window {
  readonly startNs: number;
  readonly endNs: number;
}

/** Shared by every connection of this single-threaded generator. */
interface Totals {
  calls: number;
  failed: number;
  lost: number;
  lostReason: string;
  readonly hist: Histogram;
}

/** One closed-loop connection; every buffer is allocated once. */
class LoadConn {
  readonly #size: number;
  readonly #idOff: number;
  readonly #wbuf: Uint8Array;
  readonly #wview: DataView;
  #rbuf = new Uint8Array(64 * 1024);
  #rview = new DataView(this.#rbuf.buffer);
  #have = 0;
  readonly #ids: Float64Array;
  readonly #sentAt: Float64Array;
  readonly #busy: Uint8Array;
  readonly #free: Int32Array;
  #nFree = 0;
  #counter = 0;

  constructor(
    readonly conn: Deno.TcpConn,
    readonly p: PeerProto,
    template: Uint8Array,
    readonly depth: number,
  ) {
    this.#size = template.length;
    this.#idOff = p.idOffset(template);
    this.#wbuf = new Uint8Array(this.#size * depth);
    for (let i = 0; i < depth; i++) this.#wbuf.set(template, i * this.#size);
    this.#wview = new DataView(this.#wbuf.buffer);
    this.#ids = new Float64Array(depth);
    this.#sentAt = new Float64Array(depth);
    this.#busy = new Uint8Array(depth);
    this.#free = new Int32Array(depth);
    for (let s = 0; s < depth; s++) this.#free[this.#nFree++] = s;
  }

  /** Runs until the connection fails or is closed; failures before the end count as lost. */
  async run(w: Window, t: Totals): Promise<void> {
    try {
      while (true) {
        await this.#send(w);
        const n = await this.conn.read(this.#rbuf.subarray(this.#have));
        if (n === null) throw new Error("connection closed by the peer");
        this.#have += n;
        this.#complete(nowNs(), w, t);
      }
    } catch (e) {
      if (nowNs() < w.endNs) {
        t.lost++;
        t.lostReason = e instanceof Error ? e.message : String(e);
      }
    }
  }

  async #send(w: Window): Promise<void> {
    const now = nowNs();
    if (this.#nFree === 0 || now >= w.endNs) return;
    for (let j = 0; j < this.#nFree; j++) {
      const s = this.#free[j];
      const id = ++this.#counter * MAX_DEPTH + s;
      this.p.putId(this.#wview, j * this.#size + this.#idOff, id);
      this.#ids[s] = id, this.#sentAt[s] = now, this.#busy[s] = 1;
    }
    const n = this.#nFree;
    this.#nFree = 0;
    await this.conn.write(this.#wbuf.subarray(0, n * this.#size));
  }

  /** Accounts every whole reply frame read so far (arrived at `at`). */
  #complete(at: number, w: Window, t: Totals): void {
    const rbuf = this.#rbuf;
    let pos = 0;
    while (true) {
      const len = this.p.frameLen(rbuf, pos, this.#have);
      if (len === 0) break;
      const id = this.p.getId(this.#rview, pos + this.p.idOffset(rbuf.subarray(pos, pos + len)));
      const s = id % MAX_DEPTH;
      if (s >= this.depth || !this.#busy[s] || this.#ids[s] !== id) {
        throw new Error(`reply with unexpected request id ${id}`);
      }
      this.#busy[s] = 0;
      this.#free[this.#nFree++] = s;
      if (this.#sentAt[s] >= w.startNs && at <= w.endNs) {
        t.calls++;
        t.hist.record(at - this.#sentAt[s]);
        if (!this.p.replyOk(rbuf, pos)) t.failed++;
      }
      pos += len;
    }
    rbuf.copyWithin(0, pos, this.#have);
    this.#have -= pos;
    if (this.#have === rbuf.length) {
      this.#rbuf = new Uint8Array(rbuf.length * 2);
      this.#rbuf.set(rbuf);
      this.#rview = new DataView(this.#rbuf.buffer);
    }
  }
}

function parseWatch(text: string): [string, number[]][] {
  if (!text) return [];
  return text.split(",").map((part) => {
    const [name, pids] = part.split(":");
    return [name, pids.split("+").map(Number)];
  });
}

function loadOptions(args: string[]) {
  return parseArgs({
    args,
    options: {
      addr: { type: "string" },
      proto: { type: "string", default: "thrift" },
      request: { type: "string" },
      c: { type: "string", default: "32" },
      depth: { type: "string", default: "1" },
      d: { type: "string", default: "10s" },
      warmup: { type: "string", default: "1s" },
      watch: { type: "string", default: "" },
      hz: { type: "string", default: "100" },
    },
  }).values;
}

async function runLoad(args: string[]): Promise<void> {
  const values = loadOptions(args);
  const p = protoByName(values.proto);
  const template = Deno.readFileSync(values.request!);
  const depth = Number(values.depth), conns = Number(values.c), hz = Number(values.hz);
  const [hostname, port] = values.addr!.split(/:(?=\d+$)/);
  const sockets: Deno.TcpConn[] = [];
  for (let i = 0; i < conns; i++) {
    const conn = await Deno.connect({ hostname, port: Number(port) });
    conn.setNoDelay(true);
    sockets.push(conn);
  }
  const durMs = durationMs(values.d), startNs = nowNs() + durationMs(values.warmup) * 1e6;
  const w = { startNs, endNs: startNs + durMs * 1e6 };
  const t: Totals = { calls: 0, failed: 0, lost: 0, lostReason: "", hist: new Histogram() };
  const watches: [string, (number | "self")[]][] = [...parseWatch(values.watch), ["loadgen", [
    "self",
  ]]];
  const ticks = () =>
    watches.map(([, pids]) => pids.reduce((sum: number, pid) => sum + cpuTicks(pid), 0));
  const running = sockets.map((s) => new LoadConn(s, p, template, depth).run(w, t));
  await new Promise((r) => setTimeout(r, (w.startNs - nowNs()) / 1e6));
  const before = ticks();
  await new Promise((r) => setTimeout(r, (w.endNs - nowNs()) / 1e6));
  const after = ticks();
  await new Promise((r) => setTimeout(r, 20));
  for (const s of sockets) s.close();
  await Promise.all(running);
  const us = (ns: number) => Math.round(ns / 100) / 10;
  const cpu: Record<string, number> = {};
  watches.forEach(([name], i) => cpu[name] = (after[i] - before[i]) * 1e6 / hz);
  console.log(JSON.stringify({
    proto: values.proto,
    conns,
    depth,
    seconds: durMs / 1000,
    calls: t.calls,
    failed: t.failed,
    lost: t.lost,
    lost_reason: t.lostReason || undefined,
    rps: t.calls / (durMs / 1000),
    p50_us: us(t.hist.quantile(0.5)),
    p99_us: us(t.hist.quantile(0.99)),
    p999_us: us(t.hist.quantile(0.999)),
    max_us: us(t.hist.max),
    mean_us: us(t.hist.total ? t.hist.sum / t.hist.total : 0),
    cpu_us: cpu,
  }));
}

async function serveConn(conn: Deno.TcpConn, p: PeerProto, reply: Uint8Array | undefined) {
  conn.setNoDelay(true);
  let rbuf = new Uint8Array(64 * 1024), wbuf = new Uint8Array(64 * 1024);
  let have = 0;
  try {
    while (true) {
      const n = await conn.read(rbuf.subarray(have));
      if (n === null) return;
      have += n;
      let pos = 0, out = 0;
      while (true) {
        const len = p.frameLen(rbuf, pos, have);
        if (len === 0) break;
        const need = out + Math.max(len, reply?.length ?? 0) + 32;
        if (need > wbuf.length) {
          const bigger = new Uint8Array(need * 2);
          bigger.set(wbuf.subarray(0, out));
          wbuf = bigger;
        }
        out = p.reply(wbuf, out, rbuf.subarray(pos, pos + len), reply);
        pos += len;
      }
      rbuf.copyWithin(0, pos, have);
      have -= pos;
      if (have === rbuf.length) {
        const bigger = new Uint8Array(rbuf.length * 2);
        bigger.set(rbuf);
        rbuf = bigger;
      }
      if (out > 0) await conn.write(wbuf.subarray(0, out));
    }
  } catch (e) {
    console.error(`deno_peer serve: closing a connection: ${e instanceof Error ? e.message : e}`);
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

async function runServe(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      listen: { type: "string", default: "127.0.0.1:0" },
      proto: { type: "string", default: "thrift" },
      reply: { type: "string" },
    },
  });
  const p = protoByName(values.proto);
  const reply = values.proto === "dubbo" ? Deno.readFileSync(values.reply!) : undefined;
  const [hostname, port] = values.listen.split(/:(?=\d+$)/);
  const listener = Deno.listen({ hostname, port: Number(port) });
  console.log(`listening ${(listener.addr as Deno.NetAddr).port}`);
  for await (const conn of listener) serveConn(conn, p, reply);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "load") await runLoad(rest);
  else if (mode === "serve") await runServe(rest);
  else {
    console.error("usage: deno_peer.ts load|serve [--flag=value ...]");
    Deno.exit(2);
  }
}
