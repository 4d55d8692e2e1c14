/**
 * Packet captures for `aeraki decode`: the pcap files tcpdump writes and the pcapng files
 * Wireshark and dumpcap write, read into the byte streams of their TCP connections, one per
 * direction, so each can be decoded as requests (client to server) or responses.
 *
 * Pure: bytes in, streams and problems out. Link layers: Ethernet (with VLAN tags), Linux
 * cooked (SLL, SLL2), BSD loopback and raw IP; IPv4 and IPv6. TCP segments are put in
 * sequence order; retransmitted bytes count once; bytes the capture misses (a packet dropped,
 * a capture started mid-connection, a short snaplen) end the stream with a problem.
 *
 * @module
 */

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
  /** Where each captured segment starts in `bytes`, and when it was captured (seconds). */
  readonly times: readonly (readonly [offset: number, seconds: number])[];
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
export function tcpStreams(bytes: Uint8Array, serverPort?: number): TcpStream[] | string {
  const segments = readSegments(bytes);
  if (typeof segments === "string") return segments;
  const flows = new Map<string, Segment[]>();
  for (const s of segments) {
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
  return streams;
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
  const times: [number, number][] = [];
  let length = 0;
  let problem: string | undefined;
  for (const { at, s } of placed) {
    if (at > length) {
      problem = `the capture misses ${at - length} bytes after byte ${length} of this direction`;
      break;
    }
    const fresh = s.payload.subarray(length - at);
    if (fresh.length > 0) {
      times.push([length, s.seconds]);
      parts.push(fresh);
      length += fresh.length;
    }
    if (s.missing > 0 && at + s.payload.length + s.missing > length) {
      problem = `the capture cut ${s.missing} bytes off a packet (snaplen) after byte ${length}`;
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

/** The TCP segments of every packet of a pcap or pcapng file. */
function readSegments(bytes: Uint8Array): Segment[] | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) return "the file is too short to be a capture";
  const magic = view.getUint32(0);
  const packets = magic === 0x0a0d0d0a ? pcapngPackets(view) : pcapPackets(view, magic);
  if (typeof packets === "string") return packets;
  const segments: Segment[] = [];
  for (const p of packets) {
    const s = tcpSegment(p);
    if (s !== undefined) segments.push(s);
  }
  return segments;
}

/** A captured packet: its link type, the captured bytes, the original length, the time. */
interface Packet {
  readonly link: number;
  readonly data: Uint8Array;
  readonly length: number;
  readonly seconds: number;
}

function pcapPackets(view: DataView, magic: number): Packet[] | string {
  const little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) {
    return "the file is not a pcap or pcapng capture";
  }
  if (view.byteLength < 24) return "the pcap file header is cut off";
  const link = view.getUint32(20, little) & 0x0fffffff;
  const packets: Packet[] = [];
  let at = 24;
  while (at + 16 <= view.byteLength) {
    const seconds = view.getUint32(at, little) +
      view.getUint32(at + 4, little) / (nanos ? 1e9 : 1e6);
    const captured = view.getUint32(at + 8, little);
    const length = view.getUint32(at + 12, little);
    at += 16;
    if (at + captured > view.byteLength) return `packet ${packets.length + 1} is cut off`;
    packets.push({ link, data: slice(view, at, captured), length, seconds });
    at += captured;
  }
  return packets;
}

function pcapngPackets(view: DataView): Packet[] | string {
  const packets: Packet[] = [];
  const links: number[] = [];
  const resolutions: number[] = [];
  let little = true;
  let at = 0;
  while (at + 12 <= view.byteLength) {
    const type = view.getUint32(at, little);
    if (type === 0x0a0d0d0a) {
      // A section header: its byte-order magic decides how the section reads.
      if (at + 12 > view.byteLength) return "a pcapng section header is cut off";
      little = view.getUint32(at + 8, true) === 0x1a2b3c4d;
      if (!little && view.getUint32(at + 8, false) !== 0x1a2b3c4d) {
        return "a pcapng section header has no byte-order magic";
      }
      links.length = 0;
      resolutions.length = 0;
    }
    const size = view.getUint32(at + 4, little);
    if (size < 12 || size % 4 !== 0 || at + size > view.byteLength) {
      return `a pcapng block at byte ${at} has a bad length (${size})`;
    }
    if (type === 1) {
      links.push(view.getUint16(at + 8, little));
      resolutions.push(interfaceResolution(view, at + 16, at + size - 4, little));
    } else if (type === 6) {
      const iface = view.getUint32(at + 8, little);
      if (iface >= links.length) return `a pcapng packet names interface ${iface}, not described`;
      const stamp = view.getUint32(at + 12, little) * 2 ** 32 + view.getUint32(at + 16, little);
      const captured = view.getUint32(at + 20, little);
      const length = view.getUint32(at + 24, little);
      if (28 + captured > size - 4) return `a pcapng packet at byte ${at} is cut off`;
      packets.push({
        link: links[iface],
        data: slice(view, at + 28, captured),
        length,
        seconds: stamp / resolutions[iface],
      });
    } else if (type === 3 && links.length > 0) {
      // A simple packet block: interface 0, no time stamp.
      const length = view.getUint32(at + 8, little);
      const captured = Math.min(length, size - 16);
      packets.push({ link: links[0], data: slice(view, at + 12, captured), length, seconds: 0 });
    }
    at += size;
  }
  return packets;
}

/** Ticks per second of an interface (option if_tsresol, 9), 10^6 by default. */
function interfaceResolution(view: DataView, at: number, end: number, little: boolean): number {
  while (at + 4 <= end) {
    const code = view.getUint16(at, little);
    const length = view.getUint16(at + 2, little);
    if (code === 0) break;
    if (code === 9 && length >= 1) {
      const v = view.getUint8(at + 4);
      return (v & 0x80) !== 0 ? 2 ** (v & 0x7f) : 10 ** v;
    }
    at += 4 + ((length + 3) & ~3);
  }
  return 1e6;
}

function slice(view: DataView, at: number, length: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + at, length);
}

/** The TCP segment a packet carries, if it carries one. */
function tcpSegment(p: Packet): Segment | undefined {
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
