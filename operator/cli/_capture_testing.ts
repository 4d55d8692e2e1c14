/**
 * Test helpers: pcap and pcapng files synthesized from TCP segments, for the corner cases
 * real captures rarely show. Imported by tests only.
 *
 * @module
 */

/** One TCP segment of a synthesized capture. */
export interface Seg {
  src: string;
  dst: string;
  seq: number;
  flags?: number; // 0x02 SYN, 0x10 ACK
  data?: number[];
  cut?: number; // bytes of data the snaplen drops
  time?: number;
}

/** TCP flags. */
export const SYN = 0x02;
/** @see SYN */
export const ACK = 0x10;

export function u16(n: number): number[] {
  return [n >>> 8, n & 0xff];
}
export function u32(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** An IP packet carrying one TCP segment; `src` and `dst` are `ip:port` (IPv6 in brackets). */
export function ipPacket(s: Seg): number[] {
  const [srcIp, srcPort] = split(s.src);
  const [dstIp, dstPort] = split(s.dst);
  const data = s.data ?? [];
  const tcp = [
    ...u16(srcPort),
    ...u16(dstPort),
    ...u32(s.seq),
    ...u32(0),
    0x50,
    s.flags ?? ACK,
    ...u16(65535),
    0,
    0,
    0,
    0,
    ...data,
  ];
  if (srcIp.includes(":")) {
    return [0x60, 0, 0, 0, ...u16(tcp.length), 6, 64, ...ipv6(srcIp), ...ipv6(dstIp), ...tcp];
  }
  const ip = (a: string) => a.split(".").map(Number);
  return [
    0x45,
    0,
    ...u16(20 + tcp.length),
    0,
    0,
    0x40,
    0,
    64,
    6,
    0,
    0,
    ...ip(srcIp),
    ...ip(dstIp),
    ...tcp,
  ];
}

function split(endpoint: string): [string, number] {
  const at = endpoint.lastIndexOf(":");
  return [endpoint.slice(0, at).replace(/^\[|\]$/g, ""), Number(endpoint.slice(at + 1))];
}

function ipv6(a: string): number[] {
  const [head, tail] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

/** A classic pcap file (little-endian, microseconds) of `link` frames. */
export function pcap(link: number, frames: { bytes: number[]; length: number; time: number }[]) {
  const out = [
    0xd4,
    0xc3,
    0xb2,
    0xa1,
    2,
    0,
    4,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
    0,
    0,
    link,
    0,
    0,
    0,
  ];
  for (const f of frames) {
    const le = (n: number) => u32(n).reverse();
    out.push(...le(Math.floor(f.time)), ...le(Math.round((f.time % 1) * 1e6)));
    out.push(...le(f.bytes.length), ...le(f.length), ...f.bytes);
  }
  return new Uint8Array(out);
}

/** A pcap file of Ethernet frames (with a VLAN tag when asked) around the segments. */
export function ethernet(segs: Seg[], vlan = false): Uint8Array {
  return pcap(
    1,
    segs.map((s, i) => {
      const ip = ipPacket(s);
      const type = s.src.startsWith("[") ? 0x86dd : 0x0800;
      const tag = vlan ? [0x81, 0x00, 0, 42] : [];
      const bytes = [...new Array(12).fill(0), ...tag, ...u16(type), ...ip];
      const kept = bytes.length - (s.cut ?? 0);
      return { bytes: bytes.slice(0, kept), length: bytes.length, time: s.time ?? i };
    }),
  );
}
