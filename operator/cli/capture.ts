/**
 * Packet captures for `aeraki decode`: the pcap files tcpdump writes and the pcapng files
 * Wireshark and dumpcap write, read into the byte streams of their TCP connections, one per
 * direction, so each can be decoded as requests (client to server) or responses.
 *
 * Pure: bytes in, streams and problems out. Link layers: Ethernet (with VLAN tags), Linux
 * cooked (SLL, SLL2), BSD loopback and raw IP; IPv4 and IPv6. TCP segments are put in
 * sequence order; retransmitted bytes count once; bytes the capture misses (a packet dropped,
 * a capture started mid-connection, a short snaplen) end the stream with a problem naming the
 * packet. A file that ends inside its last packet (a capture cut short) keeps every complete
 * packet and says where it was cut.
 *
 * @module
 */
import { type Packet, pcapngPackets, pcapPackets } from "./_capture_files.ts";

/** One direction of one TCP connection, reassembled. */
export interface TcpStream {
  /** `ip:port` of the client (the side that opened the connection, or see `serverPort`). */
  readonly client: string;
  /** `ip:port` of the server. */
  readonly server: string;
  /** `request` for client-to-server bytes, `response` for server-to-client. */
  readonly side: "request" | "response";
  /** The bytes in order, up to the first byte the capture misses. */
  readonly bytes: Uint8Array;
  /**
   * Where each captured segment starts in `bytes`, when it was captured (seconds) and its packet
   * number in the file (from 1, as Wireshark counts).
   */
  readonly times: readonly (readonly [offset: number, seconds: number, packet: number])[];
  /** Why the stream stops early, if it does. */
  readonly problem?: string;
}

/** A TCP segment of a captured packet. */
interface Segment {
  readonly src: string;
  readonly dst: string;
  readonly seq: number;
  readonly syn: boolean;
  readonly ack: boolean;
  readonly payload: Uint8Array;
  /** Bytes of the payload the snaplen cut off. */
  readonly missing: number;
  readonly seconds: number;
  readonly packet: number;
}

/** The streams of a capture, and where the file was cut short, if it was. */
export interface CaptureStreams {
  readonly streams: TcpStream[];
  /** Why the file ends inside a packet (the complete packets before it are all read). */
  readonly cut?: string;
}

/** Whether `bytes` start like a pcap or pcapng file. */
export function isCapture(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a].includes(magic);
}

/**
 * The TCP streams of the capture in `bytes`, in the order their connections first appear;
 * or why the file cannot be read. `serverPort` names the server side of connections whose
 * opening handshake is not in the capture (by default the lower port is the server's).
 */
export function tcpStreams(bytes: Uint8Array, serverPort?: number): CaptureStreams | string {
  const read = readSegments(bytes);
  if (typeof read === "string") return read;
  const flows = new Map<string, Segment[]>();
  for (const s of read.segments) {
    const key = `${s.src}>${s.dst}`;
    const list = flows.get(key);
    if (list === undefined) flows.set(key, [s]);
    else list.push(s);
  }
  const streams: TcpStream[] = [];
  const seen = new Set<string>();
  for (const [key, list] of flows) {
    if (seen.has(key)) continue;
    const [a, b] = key.split(">");
    const back = flows.get(`${b}>${a}`) ?? [];
    seen.add(key).add(`${b}>${a}`);
    const aOpened = list.some((s) => s.syn && !s.ack) || back.some((s) => s.syn && s.ack);
    const bOpened = back.some((s) => s.syn && !s.ack) || list.some((s) => s.syn && s.ack);
    const aIsClient = aOpened !== bOpened ? aOpened : portOf(b) === serverPort ||
      (portOf(a) !== serverPort && portOf(a) > portOf(b));
    const [client, server] = aIsClient ? [a, b] : [b, a];
    const [toServer, toClient] = aIsClient ? [list, back] : [back, list];
    for (const [side, flow] of [["request", toServer], ["response", toClient]] as const) {
      const stream = reassemble(flow);
      if (stream.bytes.length > 0 || stream.problem !== undefined) {
        streams.push({ client, server, side, ...stream });
      }
    }
  }
  return read.cut === undefined ? { streams } : { streams, cut: read.cut };
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
}

/** Puts one direction's segments in sequence order. */
function reassemble(flow: Segment[]): Pick<TcpStream, "bytes" | "times" | "problem"> {
  // The first data byte follows the SYN's sequence number; without a SYN, the lowest one.
  const syn = flow.find((s) => s.syn);
  const data = flow.filter((s) => s.payload.length > 0 || s.missing > 0);
  if (data.length === 0) return { bytes: new Uint8Array(), times: [] };
  const base = syn !== undefined
    ? (syn.seq + 1) >>> 0
    : data.reduce((min, s) => ((s.seq - min) | 0) < 0 ? s.seq : min, data[0].seq);
  const placed = data
    .map((s) => ({ at: (s.seq - base) | 0, s }))
    .filter(({ at }) => at >= 0)
    .sort((x, y) => x.at - y.at);
  const parts: Uint8Array[] = [];
  const times: [number, number, number][] = [];
  let length = 0;
  let problem: string | undefined;
  for (const { at, s } of placed) {
    if (at > length) {
      problem = `the capture misses ${at - length} bytes after byte ${length} of this ` +
        `direction, before packet ${s.packet}`;
      break;
    }
    const fresh = s.payload.subarray(length - at);
    if (fresh.length > 0) {
      times.push([length, s.seconds, s.packet]);
      parts.push(fresh);
      length += fresh.length;
    }
    if (s.missing > 0 && at + s.payload.length + s.missing > length) {
      problem = `the capture cut ${s.missing} bytes off packet ${s.packet} (snaplen) after byte ` +
        `${length}`;
      break;
    }
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return problem === undefined ? { bytes, times } : { bytes, times, problem };
}

/** The TCP segments of every packet of a pcap or pcapng file, and where it was cut. */
function readSegments(bytes: Uint8Array): { segments: Segment[]; cut?: string } | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) return "the file is too short to be a capture";
  const magic = view.getUint32(0);
  const read = magic === 0x0a0d0d0a ? pcapngPackets(view) : pcapPackets(view, magic);
  if (typeof read === "string") return read;
  const segments: Segment[] = [];
  read.packets.forEach((p, i) => {
    const s = tcpSegment(p, i + 1);
    if (s !== undefined) segments.push(s);
  });
  return read.cut === undefined ? { segments } : { segments, cut: read.cut };
}

/** The TCP segment a packet carries, if it carries one. */
function tcpSegment(p: Packet, packet: number): Segment | undefined {
  const ip = networkLayer(p.link, p.data);
  if (ip === undefined) return undefined;
  const d = ip.bytes;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let src: string, dst: string, at: number, end: number;
  if (ip.version === 4) {
    if (d.length < 20 || (d[0] >> 4) !== 4 || d[9] !== 6) return undefined;
    if ((v.getUint16(6) & 0x3fff) !== 0) return undefined; // a fragment
    at = (d[0] & 0x0f) * 4;
    end = Math.min(v.getUint16(2), d.length);
    src = d.subarray(12, 16).join(".");
    dst = d.subarray(16, 20).join(".");
  } else {
    if (d.length < 40 || (d[0] >> 4) !== 6) return undefined;
    let next = d[6];
    at = 40;
    // Hop-by-hop, routing and destination options headers may come before TCP.
    while ((next === 0 || next === 43 || next === 60) && at + 8 <= d.length) {
      next = d[at];
      at += (d[at + 1] + 1) * 8;
    }
    if (next !== 6) return undefined;
    end = Math.min(40 + v.getUint16(4), d.length);
    src = `[${ipv6(d.subarray(8, 24))}]`;
    dst = `[${ipv6(d.subarray(24, 40))}]`;
  }
  if (at + 20 > end) return undefined;
  const dataAt = at + (d[at + 12] >> 4) * 4;
  if (dataAt > end) return undefined;
  const flags = d[at + 13];
  const payload = d.subarray(dataAt, end);
  // What the IP header says the segment holds, beyond what the snaplen kept.
  const declared = ip.version === 4 ? v.getUint16(2) - dataAt : 40 + v.getUint16(4) - dataAt;
  return {
    src: `${src}:${v.getUint16(at)}`,
    dst: `${dst}:${v.getUint16(at + 2)}`,
    seq: v.getUint32(at + 4),
    syn: (flags & 0x02) !== 0,
    ack: (flags & 0x10) !== 0,
    payload,
    missing: Math.max(0, declared - payload.length),
    seconds: p.seconds,
    packet,
  };
}

function ipv6(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  return groups.join(":");
}

/** The IP packet inside a link-layer frame, if it holds one. */
function networkLayer(
  link: number,
  d: Uint8Array,
): { version: 4 | 6; bytes: Uint8Array } | undefined {
  let at: number;
  let type: number;
  if (link === 1) { // Ethernet, with any 802.1Q tags
    at = 12;
    type = d.length >= 14 ? (d[12] << 8) | d[13] : 0;
    while ((type === 0x8100 || type === 0x88a8) && at + 6 <= d.length) {
      at += 4;
      type = (d[at] << 8) | d[at + 1];
    }
    at += 2;
  } else if (link === 113) { // Linux cooked capture
    at = 16;
    type = d.length >= 16 ? (d[14] << 8) | d[15] : 0;
  } else if (link === 276) { // Linux cooked capture v2
    at = 20;
    type = d.length >= 20 ? (d[0] << 8) | d[1] : 0;
  } else if (link === 0) { // BSD loopback: the address family in host order
    at = 4;
    const family = d.length >= 4 ? d[0] | d[3] : 0;
    type = family === 2 ? 0x0800 : family === 24 || family === 28 || family === 30 ? 0x86dd : 0;
  } else if (link === 101 || link === 12 || link === 14) { // raw IP
    at = 0;
    type = d.length > 0 ? (d[0] >> 4 === 6 ? 0x86dd : 0x0800) : 0;
  } else {
    return undefined;
  }
  if (at > d.length) return undefined;
  if (type === 0x0800) return { version: 4, bytes: d.subarray(at) };
  if (type === 0x86dd) return { version: 6, bytes: d.subarray(at) };
  return undefined;
}
