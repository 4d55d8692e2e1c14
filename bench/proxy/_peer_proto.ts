/**
 * Framing, request ids and echo replies of the Deno peer, one per protocol; the same rules as
 * the Go peer's `peer/proto.go` and `peer/serve.go`.
 *
 * @module
 */

const MAX_FRAME = 16 << 20;

/** What the Deno peer needs to know about a protocol. */
export interface PeerProto {
  /** Length of the whole frame at `pos` in `buf[..end]`, 0 when more bytes are needed. */
  frameLen(buf: Uint8Array, pos: number, end: number): number;
  /** Offset of the request id inside `frame`. */
  idOffset(frame: Uint8Array): number;
  getId(view: DataView, at: number): number;
  putId(view: DataView, at: number, id: number): void;
  /** Whether the reply frame at `pos` reports success. */
  replyOk(buf: Uint8Array, pos: number): boolean;
  /** Writes the reply to `req` into `out` at `at`; returns the new end. */
  reply(out: Uint8Array, at: number, req: Uint8Array, template?: Uint8Array): number;
}

function be32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

const thrift: PeerProto = {
  frameLen(buf, pos, end) {
    if (end - pos < 4) return 0;
    const n = be32(buf, pos);
    if (n < 12 || n > MAX_FRAME) throw new Error(`bad Thrift frame size ${n}`);
    return end - pos < 4 + n ? 0 : 4 + n;
  },
  idOffset(frame) {
    if (frame[4] !== 0x80 || frame[5] !== 0x01) {
      throw new Error("not a strict binary Thrift message");
    }
    return 12 + be32(frame, 8);
  },
  getId: (view, at) => view.getUint32(at),
  putId: (view, at, id) => view.setUint32(at, id >>> 0),
  replyOk: (buf, pos) => buf[pos + 7] === 2,
  reply(out, at, req) {
    if (req[7] !== 1) return at; // oneway or not a call: no reply
    const field = 12 + be32(req, 8) + 4;
    out.set(req, at);
    out[at + 7] = 2;
    if (req[field] === 11 && req[field + 1] === 0 && req[field + 2] === 1) {
      out[at + field + 2] = 0;
      return at + req.length;
    }
    out[at + field] = 0; // an empty (void) result
    new DataView(out.buffer).setUint32(at, field + 1 - 4);
    return at + field + 1;
  },
};

const dubbo: PeerProto = {
  frameLen(buf, pos, end) {
    if (end - pos < 16) return 0;
    if (buf[pos] !== 0xda || buf[pos + 1] !== 0xbb) throw new Error("bad Dubbo magic");
    const n = be32(buf, pos + 12);
    if (n > MAX_FRAME) throw new Error(`bad Dubbo body size ${n}`);
    return end - pos < 16 + n ? 0 : 16 + n;
  },
  idOffset: () => 4,
  getId: (view, at) => view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4),
  putId(view, at, id) {
    view.setUint32(at, Math.floor(id / 2 ** 32));
    view.setUint32(at + 4, id >>> 0);
  },
  replyOk: (buf, pos) => (buf[pos + 2] & 0x80) === 0 && buf[pos + 3] === 20,
  reply(out, at, req, template) {
    const flag = req[2];
    if ((flag & 0x80) === 0 || (flag & 0x40) === 0) return at;
    if (flag & 0x20) {
      out.set([0xda, 0xbb, 0x20 | (flag & 0x1f), 20], at);
      out.set(req.subarray(4, 12), at + 4);
      out.set([0, 0, 0, 1, 0x4e], at + 12);
      return at + 17;
    }
    out.set(template!, at);
    out.set(req.subarray(4, 12), at + 4);
    return at + template!.length;
  },
};

/** The peer protocol named `name` (`thrift` or `dubbo`). */
export function protoByName(name: string): PeerProto {
  if (name === "thrift") return thrift;
  if (name === "dubbo") return dubbo;
  throw new Error(`Cannot use protocol "${name}": use thrift or dubbo`);
}
