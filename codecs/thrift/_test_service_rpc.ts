/**
 * Test helper: the `Hello` service's Client and Processor, shaped like the Thrift
 * compiler's Node output (see `_test_service.ts` for the IDL and the one deviation).
 *
 * @module
 */
import {
  HelloArgs,
  NotFound,
  Req,
  SayHelloResult,
  Thrift,
  type TProtocol,
} from "./_test_service.ts";

type Callback = (err: unknown, result?: string) => void;

/** The transport a client writes to (a library transport created by `createClient`). */
export interface ClientTransport {
  flush(): void;
}

/** A protocol class of the library (`TBinaryProtocol`, `THeaderProtocol` …). */
export type ProtocolClass = new (transport: unknown) => TProtocol;

/** `Hello.Client`: sends calls, and is handed replies by the library's connection. */
export class Client {
  _seqid = 0;
  _reqs: Record<number, Callback> = {};
  constructor(public output: ClientTransport, public pClass: ProtocolClass) {}

  seqid(): number {
    return this._seqid;
  }

  new_seqid(): number {
    return this._seqid += 1;
  }

  /** Calls `sayHello`; rejects with a NotFound or TApplicationException. */
  sayHello(req: Req): Promise<string> {
    this._seqid = this.new_seqid();
    return new Promise((resolve, reject) => {
      this._reqs[this.seqid()] = (err, result) => err ? reject(err) : resolve(result ?? "");
      this.send_sayHello(req);
    });
  }

  send_sayHello(req: Req): void {
    this.#send("sayHello", Thrift.MessageType.CALL, req);
  }

  recv_sayHello(input: TProtocol, mtype: number, rseqid: number): void {
    const callback = this._reqs[rseqid] ?? (() => {});
    delete this._reqs[rseqid];
    if (mtype === Thrift.MessageType.EXCEPTION) {
      const x = new Thrift.TApplicationException();
      x.read(input);
      input.readMessageEnd();
      return callback(x);
    }
    const result = new SayHelloResult();
    result.read(input);
    input.readMessageEnd();
    if (result.notFound !== null) return callback(result.notFound);
    if (result.success !== null) return callback(null, result.success);
    return callback("sayHello failed: unknown result");
  }

  /** Sends the oneway `ping`; nothing comes back. */
  ping(req: Req): void {
    this._seqid = this.new_seqid();
    this.#send("ping", Thrift.MessageType.ONEWAY, req);
  }

  #send(name: string, type: number, req: Req): void {
    const output = new this.pClass(this.output);
    try {
      output.writeMessageBegin(name, type, this.seqid());
      new HelloArgs(req).write(output);
      output.writeMessageEnd();
      if (output.flush) output.flush();
      else this.output.flush();
    } catch (e) {
      delete this._reqs[this.seqid()];
      throw e;
    }
  }
}

/** What a `Hello` server implements; `onHeaders` sees each call's THeader headers. */
export interface Handler {
  sayHello(req: Req | null, result: (err: Error | null, value?: string) => void): void;
  ping(req: Req | null): void;
  onHeaders?(method: string, headers: Record<string, string>): void;
}

/** `Hello.Processor`: reads a call, runs the handler, writes the reply. */
export class Processor {
  constructor(public _handler: Handler) {}

  process(input: TProtocol, output: TProtocol): void {
    const r = input.readMessageBegin();
    // Generated code dispatches on `"process_" + r.fname`; the library's non-strict reader
    // returns the name as a Buffer, which that concatenation turns into text.
    const fname = String(r.fname);
    const headers = input.getTransport?.().getReadHeaders?.() ?? {};
    this._handler.onHeaders?.(fname, { ...headers });
    if (fname === "sayHello") return this.process_sayHello(r.rseqid, input, output);
    if (fname === "ping") return this.process_ping(r.rseqid, input, output);
    input.skip(Thrift.Type.STRUCT);
    input.readMessageEnd();
    const x = new Thrift.TApplicationException(
      Thrift.TApplicationExceptionType.UNKNOWN_METHOD,
      "Unknown function " + fname,
    );
    output.writeMessageBegin(r.fname, Thrift.MessageType.EXCEPTION, r.rseqid);
    x.write(output);
    output.writeMessageEnd();
    output.flush?.();
  }

  process_sayHello(seqid: number, input: TProtocol, output: TProtocol): void {
    const args = new HelloArgs();
    args.read(input);
    input.readMessageEnd();
    this._handler.sayHello(args.req, (err, result) => {
      if (err === null || err instanceof NotFound) {
        const resultObj = new SayHelloResult(err ?? { success: result });
        output.writeMessageBegin("sayHello", Thrift.MessageType.REPLY, seqid);
        resultObj.write(output);
      } else {
        const x = new Thrift.TApplicationException(0, err.message);
        output.writeMessageBegin("sayHello", Thrift.MessageType.EXCEPTION, seqid);
        x.write(output);
      }
      output.writeMessageEnd();
      output.flush?.();
    });
  }

  process_ping(_seqid: number, input: TProtocol, _output: TProtocol): void {
    const args = new HelloArgs();
    args.read(input);
    input.readMessageEnd();
    this._handler.ping(args.req);
  }
}
