/**
 * The packets of the capture files `aeraki decode` reads: pcap (tcpdump) and pcapng (Wireshark,
 * dumpcap). A file that ends inside a packet keeps the packets before it and says where it was
 * cut; a file whose structure is broken is refused with the reason.
 *
 * @module
 */

/** The packets of a file, and why it ends inside one, if it does. */
export interface Packets {
  readonly packets: Packet[];
  readonly cut?: string;
}

/** A captured packet: its link type, the captured bytes, the original length, the time. */
export interface Packet {
  readonly link: number;
  readonly data: Uint8Array;
  readonly length: number;
  readonly seconds: number;
}

export function pcapPackets(view: DataView, magic: number): Packets | string {
  const little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) {
    return "the file is not a pcap or pcapng capture";
  }
  if (view.byteLength < 24) return "the pcap file header is cut off";
  const link = view.getUint32(20, little) & 0x0fffffff;
  const packets: Packet[] = [];
  let at = 24;
  while (at < view.byteLength) {
    const number = packets.length + 1;
    if (at + 16 > view.byteLength) {
      return { packets, cut: `the file ends inside the record header of packet ${number}` };
    }
    const seconds = view.getUint32(at, little) +
      view.getUint32(at + 4, little) / (nanos ? 1e9 : 1e6);
    const captured = view.getUint32(at + 8, little);
    const length = view.getUint32(at + 12, little);
    at += 16;
    if (at + captured > view.byteLength) {
      const kept = view.byteLength - at;
      return {
        packets,
        cut: `packet ${number} is cut off: the file ends ${kept} of its ${captured} bytes in`,
      };
    }
    packets.push({ link, data: slice(view, at, captured), length, seconds });
    at += captured;
  }
  return { packets };
}

export function pcapngPackets(view: DataView): Packets | string {
  const packets: Packet[] = [];
  const links: number[] = [];
  const resolutions: number[] = [];
  let little = true;
  let at = 0;
  while (at < view.byteLength) {
    const next = `the block after packet ${packets.length} (at byte ${at})`;
    if (at + 12 > view.byteLength) return { packets, cut: `the file ends inside ${next}` };
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
    if (size < 12 || size % 4 !== 0) {
      return `a pcapng block at byte ${at} has a bad length (${size})`;
    }
    if (at + size > view.byteLength) {
      const kept = view.byteLength - at;
      const what = type === 6 || type === 3 ? `packet ${packets.length + 1}` : next;
      return { packets, cut: `${what} is cut off: the file ends ${kept} of its ${size} bytes in` };
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
  return { packets };
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
