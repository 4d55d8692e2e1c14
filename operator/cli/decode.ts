/**
 * `deno task aeraki decode --protocol dubbo|thrift|trpc [--side request|response] FILE|-`:
 * decodes captured traffic (one direction of one connection) with the proxy's own codecs and
 * prints one JSON line per message.
 *
 * @module
 */
import { type Codec, defaultRegistry, type Message, type Side } from "../../codecs/mod.ts";
import type { Command, CommandIo } from "./command.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const USAGE = `Usage: deno task aeraki decode --protocol PROTOCOL [--side request|response] FILE|-
       deno task aeraki decode --codec MODULE [--side request|response] FILE|-

Decodes the bytes of FILE (or standard input for -) as a stream of messages of PROTOCOL, the
way the MetaProtocol proxy does, and prints one JSON line per message:
  {"type":"request","requestId":"42","status":"ok","metadata":{...},"size":123}
requestId is a decimal string (Dubbo ids are 64-bit, beyond exact JSON numbers); size is the
frame's length in bytes. Stream frames (tRPC) also carry "streamId".

Options:
  --protocol P   dubbo, thrift or trpc (or a codec name such as aeraki.meta_protocol.codec.trpc)
  --codec M      a TypeScript or JavaScript module whose default export (or export "codec") is a
                 codec of your own (see codecs/codec.ts and examples/codecs/kv_codec.ts); it is
                 added to the built-in codecs, and is the one used when --protocol is not given
  --side S       request (default) for client-to-server bytes, response for server-to-client

Exit status: 0 when every byte decoded, 1 on invalid input (the reason and absolute byte offset
go to standard error; a frame cut off at the end counts), 2 on bad arguments.`;

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

/** What {@link decodeStream} found: the messages, then the problem that stopped it, if any. */
export interface DecodedStream {
  readonly frames: DecodedFrame[];
  readonly problem?: { readonly reason: string; readonly offset: number };
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
    const need = r.kind === "need-more" && r.frameSize !== undefined
      ? `, the frame needs ${r.frameSize}`
      : "";
    const reason =
      `Cannot decode ${codec.protocol} message: input ends inside a frame (${left} bytes left${need})`;
    return { frames, problem: { reason, offset } };
  }
  return { frames };
}

/** The JSON line printed for one message. */
export function messageLine(message: Message): string {
  const line: Record<string, unknown> = {
    type: message.type,
    requestId: message.requestId.toString(),
    status: message.status,
    metadata: Object.fromEntries(message.metadata),
    size: message.frame.length,
  };
  if (message.type.startsWith("stream_")) line.streamId = message.streamId;
  return JSON.stringify(line);
}

interface DecodeArgs {
  readonly protocol: string | undefined;
  readonly codec: string | undefined;
  readonly side: Side;
  readonly file: string;
}

function parseArgs(args: readonly string[]): DecodeArgs | string {
  let protocol: string | undefined;
  let codec: string | undefined;
  let side: string = "request";
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag === "--protocol" || flag === "--side" || flag === "--codec") {
      const value = inline ?? args[++i];
      if (value === undefined) return `option "${flag}" needs a value`;
      if (flag === "--protocol") protocol = value;
      else if (flag === "--codec") codec = value;
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
  return { protocol, codec, side, file: files[0] };
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
  const { frames, problem } = decodeStream(codec, input, parsed.side);
  for (const { message } of frames) io.out(messageLine(message) + "\n");
  if (problem) {
    io.err(`${label}: byte ${problem.offset}: ${problem.reason}\n`);
    return 1;
  }
  return 0;
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
