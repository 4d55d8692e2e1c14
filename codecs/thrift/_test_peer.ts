/**
 * Test helper: the npm `thrift` library as a real peer. Every transport × protocol stack
 * it supports, in-memory frames written and read by it, and a real server and client.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import thrift from "thrift";
import type { ThriftDetail } from "./thrift_codec.ts";
import { HelloArgs, type Req, Thrift, type TProtocol } from "./_test_service.ts";
import { Client, type Handler, Processor, type ProtocolClass } from "./_test_service_rpc.ts";

type TransportClass = {
  new (buffer: unknown, onFlush: (buf: Uint8Array) => void): LibTransport;
  receiver(callback: (transport: LibTransport) => void): (data: Buffer) => void;
};

interface LibTransport {
  flush(): void;
  setProtocolId(id: number): void;
  setWriteHeader(key: string, value: string): void;
}

const TBinaryProtocol = thrift.TBinaryProtocol as ProtocolClass;

/** Old-style binary: no version word on write (`strictWrite` false), lax reads. */
class LaxBinaryProtocol extends (thrift.TBinaryProtocol as new (
  t: unknown,
  strictRead: boolean,
  strictWrite: boolean,
) => object) {
  constructor(transport: unknown) {
    super(transport, false, false);
  }
}

/** One transport × protocol combination of the library. */
export interface Stack {
  readonly name: string;
  readonly transport: TransportClass;
  readonly protocol: ProtocolClass;
  /** Header stacks: the THeader payload protocol id (0 binary, 2 compact). */
  readonly protocolId?: number;
  /** What our codec should report for it. */
  readonly expect: Pick<ThriftDetail, "transport" | "protocol" | "strict">;
}

const framed = thrift.TFramedTransport as TransportClass;
const buffered = thrift.TBufferedTransport as TransportClass;
const compact = thrift.TCompactProtocol as ProtocolClass;
const header = thrift.THeaderProtocol as ProtocolClass;

/**
 * Every stack: framed and buffered (unframed) with strict binary, non-strict binary and
 * compact; header with binary and compact payloads. The library's framed transport under
 * THeaderProtocol prefixes a second length to the THeader frame, which is not the THeader
 * wire format, so header stacks use the buffered transport, as THeader intends.
 */
export const STACKS: readonly Stack[] = [
  stack("framed/binary", framed, TBinaryProtocol, "framed", "binary", true),
  stack("framed/binary-lax", framed, LaxBinaryProtocol as ProtocolClass, "framed", "binary", false),
  stack("framed/compact", framed, compact, "framed", "compact", true),
  stack("buffered/binary", buffered, TBinaryProtocol, "unframed", "binary", true),
  stack(
    "buffered/binary-lax",
    buffered,
    LaxBinaryProtocol as ProtocolClass,
    "unframed",
    "binary",
    false,
  ),
  stack("buffered/compact", buffered, compact, "unframed", "compact", true),
  { ...stack("header/binary", buffered, header, "header", "binary", true), protocolId: 0 },
  { ...stack("header/compact", buffered, header, "header", "compact", true), protocolId: 2 },
];

function stack(
  name: string,
  transport: TransportClass,
  protocol: ProtocolClass,
  t: ThriftDetail["transport"],
  p: ThriftDetail["protocol"],
  strict: boolean,
): Stack {
  return { name, transport, protocol, expect: { transport: t, protocol: p, strict } };
}

/** Writes one message with the library in memory and returns its bytes on the wire. */
export function libWrite(
  s: Stack,
  write: (p: TProtocol) => void,
  headers: Record<string, string> = {},
): Uint8Array {
  let out: Uint8Array | undefined;
  const transport = new s.transport(undefined, (buf) => out = new Uint8Array(buf));
  if (s.protocolId !== undefined) transport.setProtocolId(s.protocolId);
  for (const [key, value] of Object.entries(headers)) transport.setWriteHeader(key, value);
  const protocol = new s.protocol(transport);
  write(protocol);
  if (protocol.flush) protocol.flush();
  else transport.flush();
  if (!out) throw new Error("The thrift library wrote nothing");
  return out;
}

/** What {@link libCall} writes; a call to `sayHello` with seqid 1 by default. */
export interface CallOptions {
  method?: string;
  seqid?: number;
  type?: number;
  req?: Req;
  /** The struct after the message header; `HelloArgs(req)` by default. */
  body?: { write(p: TProtocol): void };
  headers?: Record<string, string>;
}

/** The library's bytes for one message. */
export function libCall(s: Stack, options: CallOptions = {}): Uint8Array {
  return libWrite(s, (p) => {
    p.writeMessageBegin(options.method ?? "sayHello", options.type ?? 1, options.seqid ?? 1);
    (options.body ?? new HelloArgs(options.req ?? null)).write(p);
    p.writeMessageEnd();
  }, options.headers);
}

/** Reads a message with the library's THeaderProtocol and returns the headers it saw. */
export function libReadHeaders(bytes: Uint8Array): Record<string, string> {
  let result: Record<string, string> | undefined;
  buffered.receiver((transport) => {
    const p = new header(transport);
    p.readMessageBegin();
    new HelloArgs().read(p);
    p.readMessageEnd();
    result = { ...p.getTransport?.().getReadHeaders?.() };
  })(Buffer.from(bytes));
  if (!result) throw new Error("The thrift library read no message");
  return result;
}

/** Reads one message header and TApplicationException with the library, from `bytes`. */
export function libReadException(
  s: Stack,
  bytes: Uint8Array,
): { fname: string; mtype: number; rseqid: number; message: string; type: number } {
  let result: ReturnType<typeof libReadException> | undefined;
  s.transport.receiver((transport) => {
    const p = new s.protocol(transport);
    const begin = p.readMessageBegin();
    const x = new Thrift.TApplicationException();
    x.read(p);
    p.readMessageEnd();
    result = { ...begin, fname: String(begin.fname), message: x.message, type: x.type };
  })(Buffer.from(bytes));
  if (!result) throw new Error("The thrift library read no message");
  return result;
}

interface NodeServer {
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number };
  close(cb: () => void): void;
  on(event: string, cb: (e: unknown) => void): void;
}

/** A real library server for `Hello`, on a random loopback port. */
export async function startServer(
  s: Stack,
  handler: Handler,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = thrift.createServer({ Processor }, handler, {
    transport: s.transport,
    protocol: s.protocol,
  }) as NodeServer;
  server.on("error", (e) => console.error("thrift server error", e));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface NodeConnection {
  end(): void;
  on(event: string, cb: (e?: unknown) => void): void;
}

/** A real library client for `Hello` connected to `port`; `close` waits for the socket. */
export async function connectClient(
  s: Stack,
  port: number,
  headers: Record<string, string> = {},
): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = thrift.createConnection("127.0.0.1", port, {
    transport: s.transport,
    protocol: s.protocol,
  }) as NodeConnection;
  const closed = new Promise<void>((resolve) => connection.on("close", () => resolve()));
  connection.on("error", (e) => console.error("thrift client error", e));
  await new Promise<void>((resolve) => connection.on("connect", () => resolve()));
  const client = thrift.createClient({ Client }, connection) as Client;
  const output = client.output as unknown as LibTransport;
  if (s.protocolId !== undefined) output.setProtocolId(s.protocolId);
  for (const [key, value] of Object.entries(headers)) output.setWriteHeader(key, value);
  return {
    client,
    close: () => {
      connection.end();
      return closed;
    },
  };
}
