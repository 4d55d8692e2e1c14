/**
 * A realistic Thrift upstream for the benchmark: the npm `thrift` library's own server
 * (framed transport, binary protocol) running `string echo(1: string msg)` through a
 * processor shaped like the Thrift compiler's Node output. Much slower than the echo peers;
 * the harness uses it with `--upstream=thrift-npm` to show a proxy in front of a real server.
 *
 * Run: `deno run --allow-all bench/proxy/thrift_npm_server.ts` (prints `listening PORT`)
 *
 * @module
 */
import thrift from "thrift";
import { THRIFT_METHOD } from "./frames.ts";

interface Protocol {
  readMessageBegin(): { fname: string; mtype: number; rseqid: number };
  readMessageEnd(): void;
  readStructBegin(): void;
  readStructEnd(): void;
  readFieldBegin(): { ftype: number; fid: number };
  readFieldEnd(): void;
  readString(): string;
  skip(type: number): void;
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeString(value: string): void;
  flush?(): void;
}

const STRING = 11, STOP = 0, REPLY = 2, EXCEPTION = 3;

/** `echo_args.read`, as generated: field 1 is the message, anything else is skipped. */
function readArgs(input: Protocol): string {
  let msg = "";
  input.readStructBegin();
  while (true) {
    const f = input.readFieldBegin();
    if (f.ftype === STOP) break;
    if (f.fid === 1 && f.ftype === STRING) msg = input.readString();
    else input.skip(f.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  return msg;
}

/** The processor the library's server calls once per message. */
class EchoProcessor {
  process(input: Protocol, output: Protocol): void {
    const r = input.readMessageBegin();
    const name = String(r.fname);
    const msg = readArgs(input);
    input.readMessageEnd();
    if (name !== THRIFT_METHOD) {
      const x = new thrift.TApplicationException(1, `Unknown function ${name}`);
      output.writeMessageBegin(name, EXCEPTION, r.rseqid);
      x.write(output as never);
    } else {
      output.writeMessageBegin(name, REPLY, r.rseqid);
      output.writeStructBegin("echo_result");
      output.writeFieldBegin("success", STRING, 0);
      output.writeString(msg);
      output.writeFieldEnd();
      output.writeFieldStop();
      output.writeStructEnd();
    }
    output.writeMessageEnd();
    output.flush?.();
  }
}

if (import.meta.main) {
  const server = thrift.createServer(
    { Processor: EchoProcessor } as never,
    {} as never,
    { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol },
  ) as unknown as {
    listen(port: number, host: string, cb: () => void): void;
    address(): { port: number };
    on(event: "error", cb: (e: { code?: string; message?: string }) => void): void;
  };
  // The library re-emits every connection's error on the server, where nobody listens, and a
  // reset (a client that closes with calls in flight, as the load generator does at the end
  // of a run) would end the process. Resets are expected; anything else is reported.
  server.on("error", (e) => {
    if (e.code !== "ECONNRESET" && e.code !== "EPIPE") console.error(`thrift server: ${e.message}`);
  });
  server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
}
