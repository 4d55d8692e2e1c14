/**
 * Captures read into TCP streams: synthesized pcap and pcapng files for the corner cases
 * (segments out of order or sent twice, a dropped packet, a short snaplen, IPv6, VLAN tags,
 * Linux cooked capture, a connection whose handshake was missed), and real captures by
 * tcpdump and dumpcap on loopback (`capture_live_test.ts`).
 */
import assert from "node:assert/strict";
import { isCapture, type TcpStream, tcpStreams } from "./capture.ts";
import { ACK, ethernet, ipPacket, pcap, SYN, u16, u32 } from "./_capture_testing.ts";

/** The streams of a capture that must read. */
function streamsOf(capture: Uint8Array, port?: number): TcpStream[] {
  const read = tcpStreams(capture, port);
  if (typeof read === "string") assert.fail(read);
  assert.equal(read.cut, undefined);
  return read.streams;
}

const textOf = (s: TcpStream) => new TextDecoder().decode(s.bytes);

const text = (s: string) => [...new TextEncoder().encode(s)];
const C = "10.0.0.1:51000";
const S = "10.0.0.2:9090";

Deno.test("tcpStreams() puts segments in order and counts retransmitted bytes once", () => {
  const capture = ethernet([
    { src: C, dst: S, seq: 100, flags: SYN },
    { src: S, dst: C, seq: 500, flags: SYN | ACK },
    { src: C, dst: S, seq: 106, data: text("world") }, // ahead of its turn
    { src: C, dst: S, seq: 101, data: text("hello") },
    { src: C, dst: S, seq: 103, data: text("llowo") }, // a retransmission, overlapping
    { src: S, dst: C, seq: 501, data: text("ok") },
  ]);
  assert.ok(isCapture(capture));
  assert.deepEqual(
    streamsOf(capture).map((s) => [s.client, s.server, s.side, textOf(s), s.problem]),
    [[C, S, "request", "helloworld", undefined], [C, S, "response", "ok", undefined]],
  );
});

Deno.test("tcpStreams() stops a direction where the capture misses bytes, and says so", () => {
  const dropped = ethernet([
    { src: C, dst: S, seq: 101, data: text("abc") },
    { src: C, dst: S, seq: 110, data: text("xyz") },
  ]);
  const [gap] = streamsOf(dropped, 9090);
  assert.equal(textOf(gap), "abc");
  assert.match(gap.problem!, /misses 6 bytes after byte 3/);
  const cut = ethernet([{ src: C, dst: S, seq: 101, data: text("abcdef"), cut: 2 }]);
  const [short] = streamsOf(cut, 9090);
  assert.equal(textOf(short), "abcd");
  assert.match(short.problem!, /cut 2 bytes off packet 1 \(snaplen\)/);
});

Deno.test("tcpStreams() tells client from server without the handshake: --port, else the lower port", () => {
  const capture = ethernet([
    { src: S, dst: C, seq: 7, data: text("reply") },
    { src: C, dst: S, seq: 9, data: text("ask") },
  ]);
  const sides = (port?: number) => streamsOf(capture, port).map((s) => `${s.server} ${s.side}`);
  assert.deepEqual(sides(), ["10.0.0.2:9090 request", "10.0.0.2:9090 response"]);
  assert.deepEqual(sides(51000), ["10.0.0.1:51000 request", "10.0.0.1:51000 response"]);
});

Deno.test("tcpStreams() reads IPv6, VLAN-tagged Ethernet and Linux cooked captures", () => {
  const v6 = ethernet([{
    src: "[fd00::1]:40000",
    dst: "[fd00::2]:20880",
    seq: 1,
    data: text("v6"),
  }]);
  const [a] = streamsOf(v6);
  assert.equal(a.client, "[fd00:0:0:0:0:0:0:1]:40000");
  assert.equal(textOf(a), "v6");
  const tagged = ethernet([{ src: C, dst: S, seq: 1, data: text("vlan") }], true);
  assert.equal(textOf(streamsOf(tagged)[0]), "vlan");
  const sll = pcap(113, [{
    bytes: [
      0,
      0,
      0,
      1,
      0,
      6,
      ...new Array(8).fill(0),
      0x08,
      0x00,
      ...ipPacket({ src: C, dst: S, seq: 1, data: text("sll") }),
    ],
    length: 0,
    time: 0,
  }]);
  assert.equal(textOf(streamsOf(sll)[0]), "sll");
});

Deno.test("tcpStreams() reads pcapng with nanosecond time stamps", () => {
  const packet = [
    ...new Array(12).fill(0),
    0x08,
    0x00,
    ...ipPacket({ src: C, dst: S, seq: 1, data: text("ng") }),
  ];
  const captured = packet.length;
  while (packet.length % 4 !== 0) packet.push(0);
  const le32 = (n: number) => u32(n).reverse();
  const le16 = (n: number) => u16(n).reverse();
  const shb = [
    ...le32(0x0a0d0d0a),
    ...le32(28),
    ...le32(0x1a2b3c4d),
    ...le16(1),
    ...le16(0),
    ...le32(0xffffffff),
    ...le32(0xffffffff),
    ...le32(28),
  ];
  // Interface: Ethernet, if_tsresol = 9 (nanoseconds).
  const idb = [
    ...le32(1),
    ...le32(32),
    ...le16(1),
    ...le16(0),
    ...le32(0),
    ...le16(9),
    ...le16(1),
    9,
    0,
    0,
    0,
    ...le16(0),
    ...le16(0),
    ...le32(32),
  ];
  const stamp = 1_700_000_000_123_456_789n;
  const epbSize = 32 + packet.length;
  const epb = [
    ...le32(6),
    ...le32(epbSize),
    ...le32(0),
    ...le32(Number(stamp >> 32n)),
    ...le32(Number(stamp & 0xffffffffn)),
    ...le32(captured),
    ...le32(captured),
    ...packet,
    ...le32(epbSize),
  ];
  const streams = streamsOf(new Uint8Array([...shb, ...idb, ...epb]));
  assert.equal(textOf(streams[0]), "ng");
  assert.ok(Math.abs(streams[0].times[0][1] - 1_700_000_000.123456789) < 1e-6);
});

Deno.test("tcpStreams() says why a file is not a capture it can read", () => {
  assert.equal(isCapture(new Uint8Array([0xda, 0xbb, 0xc2, 0])), false);
  const badBlock = new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 8, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]);
  assert.match(tcpStreams(badBlock) as string, /bad length/);
});

Deno.test("tcpStreams() keeps every complete packet of a file cut inside the last one", () => {
  const whole = ethernet([
    { src: C, dst: S, seq: 1, data: text("abc") },
    { src: C, dst: S, seq: 4, data: text("def") },
  ]);
  const inData = tcpStreams(whole.subarray(0, whole.length - 2));
  assert.ok(typeof inData !== "string");
  assert.equal(inData.cut, "packet 2 is cut off: the file ends 55 of its 57 bytes in");
  assert.deepEqual(inData.streams.map(textOf), ["abc"]);
  assert.deepEqual(inData.streams[0].times.map((t) => t[2]), [1]);
  const inHeader = tcpStreams(whole.subarray(0, whole.length - 57 - 6));
  assert.ok(typeof inHeader !== "string");
  assert.equal(inHeader.cut, "the file ends inside the record header of packet 2");
  const first = tcpStreams(whole.subarray(0, 50));
  assert.ok(typeof first !== "string");
  assert.deepEqual([first.streams, first.cut], [
    [],
    "packet 1 is cut off: the file ends 10 of its 57 bytes in",
  ]);
});

Deno.test("tcpStreams() names the packet where bytes go missing", () => {
  const dropped = ethernet([
    { src: C, dst: S, seq: 1, data: text("abc") },
    { src: C, dst: S, seq: 10, data: text("xyz") },
  ]);
  const [gap] = streamsOf(dropped, 9090);
  assert.equal(
    gap.problem,
    "the capture misses 6 bytes after byte 3 of this direction, before packet 2",
  );
});
