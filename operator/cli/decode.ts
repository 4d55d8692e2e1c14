/**
 * `deno task aeraki decode --protocol dubbo|thrift|trpc [--side request|response] FILE|-`:
 * decodes captured traffic (one direction of one connection) with the proxy's own codecs and
 * prints one JSON line per message.
 *
 * @module
 */
import { type Codec, defaultRegistry, type Message, type Side } from "../../codecs/mod.ts";
import type { Command, CommandIo } from "./command.ts";
import { isCapture, tcpStreams } from "./capture.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const USAGE = `Usage: deno task aeraki decode --protocol PROTOCOL [--side request|response] FILE|-
       deno task aeraki decode --codec MODULE [--side request|response] FILE|-
       deno task aeraki decode --protocol PROTOCOL [--port PORT] CAPTURE.pcap|CAPTURE.pcapng

Decodes the bytes of FILE (or standard input for -) as a stream of messages of PROTOCOL, the
way the MetaProtocol proxy does, and prints one JSON line per message:
  {"type":"request","requestId":"42","status":"ok","metadata":{...},"size":123}
requestId is a decimal string (Dubbo ids are 64-bit, beyond exact JSON numbers); size is the
frame's length in bytes. Stream frames (tRPC) also carry "streamId".

A packet capture (pcap from tcpdump, pcapng from Wireshark or dumpcap) is read as TCP
connections: each direction is reassembled and decoded, requests from the client, responses
from the server, and the lines come in capture order with "connection" (client > server),
"side" and "time" (seconds). The client is the side that opened the connection; for
connections whose opening the capture missed, --port names the server's port (by default the
lower port). With --port, only connections to or from that port are decoded. Problems name the
packet (numbered from 1, as Wireshark does) and the byte offset in the direction's stream.

Options:
  --protocol P   dubbo, thrift or trpc (or a codec name such as aeraki.meta_protocol.codec.trpc)
  --codec M      a TypeScript or JavaScript module whose default export (or export "codec") is a
                 codec of your own (see codecs/codec.ts and examples/codecs/kv_codec.ts); it is
                 added to the built-in codecs, and is the one used when --protocol is not given
  --side S       request (default) for client-to-server bytes, response for server-to-client
  --port N       in a capture, decode only connections to or from port N, and take N as the
                 server port of connections whose opening the capture missed

Input that ends inside a message (a capture stopped mid-transfer, a file whose last packet is
cut off) is not an error: every complete message is printed and the cut is reported on standard
error as a warning, as tshark does.

Exit status: 0 when every complete byte decoded (warnings allowed), 1 on invalid input or bytes
missing in the middle of a stream (the reason and absolute byte offset go to standard error),
2 on bad arguments.`;

/** The `decode` subcommand. */
export const decodeCommand: Command = {
  name: "decode",
  summary: "Decode captured Dubbo, Thrift or tRPC bytes into one JSON line per message",
  usage: USAGE,
  run,
};

/** One decoded message and where its frame starts in the input. */
export interface DecodedFrame {
  readonly message: Message;
  readonly offset: number;
}

/**
 * What {@link decodeStream} found: the messages, then the problem that stopped it, if any;
 * `cut` marks a problem that is only the input ending inside a frame.
 */
export interface DecodedStream {
  readonly frames: DecodedFrame[];
  readonly problem?: { readonly reason: string; readonly offset: number; readonly cut?: true };
}

/**
 * Decodes `input` message after message with `codec`. Stops at the first invalid frame or at
 * a frame cut off by the end of the input; problem offsets are absolute.
 */
export function decodeStream(codec: Codec, input: Uint8Array, side: Side): DecodedStream {
  const frames: DecodedFrame[] = [];
  let offset = 0;
  while (offset < input.length) {
    const r = codec.decode(input.subarray(offset), { side });
    if (r.kind === "message" && r.bytesConsumed > 0) {
      frames.push({ message: r.message, offset });
      offset += r.bytesConsumed;
      continue;
    }
    if (r.kind === "invalid") {
      return { frames, problem: { reason: r.reason, offset: offset + r.offset } };
    }
    const left = input.length - offset;
    const part = r.kind === "need-more" && r.frameSize !== undefined
      ? `${left} of its ${r.frameSize} bytes are here`
      : `${left} bytes of it are here`;
    const reason =
      `Cannot decode the last ${codec.protocol} message: the input ends inside it (${part})`;
    return { frames, problem: { reason, offset, cut: true } };
  }
  return { frames };
}

/** The fields of the JSON line printed for one message. */
export function messageFields(message: Message): Record<string, unknown> {
  const line: Record<string, unknown> = {
    type: message.type,
    requestId: message.requestId.toString(),
    status: message.status,
    metadata: Object.fromEntries(message.metadata),
    size: message.frame.length,
  };
  if (message.type.startsWith("stream_")) line.streamId = message.streamId;
  return line;
}

/** The JSON line printed for one message. */
export function messageLine(message: Message): string {
  return JSON.stringify(messageFields(message));
}

interface DecodeArgs {
  readonly protocol: string | undefined;
  readonly codec: string | undefined;
  readonly side: Side;
  readonly port: number | undefined;
  readonly file: string;
}

function parseArgs(args: readonly string[]): DecodeArgs | string {
  let protocol: string | undefined;
  let codec: string | undefined;
  let port: string | undefined;
  let side: string = "request";
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag === "--protocol" || flag === "--side" || flag === "--codec" || flag === "--port") {
      const value = inline ?? args[++i];
      if (value === undefined) return `option "${flag}" needs a value`;
      if (flag === "--protocol") protocol = value;
      else if (flag === "--codec") codec = value;
      else if (flag === "--port") port = value;
      else side = value;
    } else if (arg.startsWith("-") && arg !== "-") return `unknown option "${arg}"`;
    else files.push(arg);
  }
  if (protocol === undefined && codec === undefined) {
    return `give the protocol with --protocol, or a codec module with --codec`;
  }
  if (side !== "request" && side !== "response") {
    return `side is "${side}", expected "request" or "response"`;
  }
  if (files.length !== 1) return `give exactly one FILE or - (got ${files.length})`;
  const portNumber = port === undefined ? undefined : Number(port);
  if (
    portNumber !== undefined &&
    !(Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65536)
  ) {
    return `port is "${port}", expected a number between 1 and 65535`;
  }
  return { protocol, codec, side, port: portNumber, file: files[0] };
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(USAGE + "\n");
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.err(`Cannot decode: ${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  const registry = defaultRegistry();
  let own: Codec | undefined;
  if (parsed.codec !== undefined) {
    const loaded = await loadCodec(parsed.codec);
    if (typeof loaded === "string") {
      io.err(`Cannot decode: ${loaded}\n`);
      return 2;
    }
    registry.register(own = loaded);
  }
  const codec = parsed.protocol === undefined
    ? own
    : registry.forProtocol(parsed.protocol) ?? registry.get(parsed.protocol);
  if (codec === undefined) {
    const known = registry.protocols().join(", ");
    io.err(`Cannot decode: unknown protocol "${parsed.protocol}" (known: ${known})\n`);
    return 2;
  }
  const label = parsed.file === "-" ? "<stdin>" : parsed.file;
  let input: Uint8Array;
  try {
    input = parsed.file === "-" ? await io.stdin() : await Deno.readFile(parsed.file);
  } catch (e) {
    io.err(`Cannot read "${label}": ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (isCapture(input)) return decodeCapture(codec, input, label, parsed.port, io);
  const { frames, problem } = decodeStream(codec, input, parsed.side);
  for (const { message } of frames) io.out(messageLine(message) + "\n");
  if (problem) {
    io.err(
      `${label}: byte ${problem.offset}: ${problem.cut ? "warning: " : ""}${problem.reason}\n`,
    );
    return problem.cut ? 0 : 1;
  }
  return 0;
}

/** Decodes every TCP stream of a capture and prints the messages in capture order. */
function decodeCapture(
  codec: Codec,
  input: Uint8Array,
  label: string,
  port: number | undefined,
  io: CommandIo,
): number {
  const read = tcpStreams(input, port);
  if (typeof read === "string") {
    io.err(`Cannot read capture "${label}": ${read}\n`);
    return 1;
  }
  const streams = port === undefined
    ? read.streams
    : read.streams.filter((s) => portOf(s.client) === port || portOf(s.server) === port);
  const lines: { seconds: number; order: number; text: string }[] = [];
  let failed = false;
  for (const stream of streams) {
    const connection = `${stream.client} > ${stream.server}`;
    const { frames, problem } = decodeStream(codec, stream.bytes, stream.side);
    for (const { message, offset } of frames) {
      const [seconds] = segmentAt(stream.times, offset);
      const text = JSON.stringify({
        ...messageFields(message),
        connection,
        side: stream.side,
        time: Number(seconds.toFixed(6)),
      });
      lines.push({ seconds, order: lines.length, text });
    }
    const where = `${label}: ${connection} (${stream.side}s)`;
    // A frame cut by missing bytes is the gap's fault: the gap is reported, not the frame.
    if (problem && !(problem.cut && stream.problem)) {
      const [, packet] = segmentAt(stream.times, problem.offset);
      const warning = problem.cut ? "warning: " : "";
      io.err(`${where}: packet ${packet}, byte ${problem.offset}: ${warning}${problem.reason}\n`);
    }
    if (stream.problem) io.err(`${where}: ${stream.problem}\n`);
    failed ||= (problem !== undefined && !problem.cut) || stream.problem !== undefined;
  }
  lines.sort((a, b) => a.seconds - b.seconds || a.order - b.order);
  for (const { text } of lines) io.out(text + "\n");
  if (read.cut) io.err(`${label}: warning: ${read.cut}; the packets before it are decoded\n`);
  if (streams.length === 0) {
    const to = port === undefined ? "" : ` to or from port ${port}`;
    io.err(`${label}: warning: the capture holds no TCP data${to}\n`);
  }
  return failed ? 1 : 0;
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
}

/** When the segment holding byte `offset` of a stream was captured, and its packet number. */
function segmentAt(
  times: readonly (readonly [number, number, number])[],
  offset: number,
): [seconds: number, packet: number] {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid][0] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return times.length === 0 ? [0, 0] : [times[lo][1], times[lo][2]];
}

/**
 * Imports the codec module at `path` (relative to the working directory) and checks that its
 * default export, or its export `codec`, has the shape of a {@link Codec}; or says why not.
 */
async function loadCodec(path: string): Promise<Codec | string> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    return `cannot load codec module "${path}": ${e instanceof Error ? e.message : String(e)}`;
  }
  const candidate = (module.default ?? module.codec) as Partial<Codec> | undefined;
  if (candidate === undefined || candidate === null || typeof candidate !== "object") {
    return `codec module "${path}" exports no codec (export it as default, or as "codec")`;
  }
  const missing = [
    ...(["name", "protocol"] as const).filter((k) => typeof candidate[k] !== "string"),
    ...(["decode", "encode", "errorReply", "heartbeatReply"] as const).filter((k) =>
      typeof candidate[k] !== "function"
    ),
  ];
  if (missing.length > 0) {
    return `the codec of "${path}" lacks ${missing.join(", ")} (see codecs/codec.ts)`;
  }
  return candidate as Codec;
}
