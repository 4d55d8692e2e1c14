/**
 * Test helper: hand-written code shaped like the Thrift compiler's Node output (`js:node`)
 * for this IDL, so the npm `thrift` library's own client and server can run it:
 *
 * ```thrift
 * struct Req { 1: string name, 2: i32 count, 3: list<string> tags, 4: map<string, i64> scores }
 * exception NotFound { 1: string what }
 * service Hello {
 *   string sayHello(1: Req req) throws (1: NotFound notFound)
 *   oneway void ping(1: Req req)
 * }
 * ```
 *
 * One deliberate difference: the compiler's client flushes the transport
 * (`this.output.flush()`), which skips `THeaderProtocol.flush()` and so never writes a THeader;
 * this client flushes through the protocol when it can, so header-transport calls carry
 * their headers. The processor reports the THeader headers it read to `onHeaders`.
 *
 * @module
 */
import thrift from "thrift";

/** The slice of the library's protocol API that generated code calls. */
export interface TProtocol {
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeString(value: string): void;
  writeI32(value: number): void;
  writeI64(value: number): void;
  writeListBegin(type: number, size: number): void;
  writeListEnd(): void;
  writeMapBegin(keyType: number, valueType: number, size: number): void;
  writeMapEnd(): void;
  readMessageBegin(): { fname: string; mtype: number; rseqid: number };
  readMessageEnd(): void;
  readStructBegin(): void;
  readStructEnd(): void;
  readFieldBegin(): { fname: string; ftype: number; fid: number };
  readFieldEnd(): void;
  readString(): string;
  readI32(): number;
  readI64(): { toNumber(): number };
  readListBegin(): { etype: number; size: number };
  readListEnd(): void;
  readMapBegin(): { ktype: number; vtype: number; size: number };
  readMapEnd(): void;
  skip(type: number): void;
  flush?(): void;
  getTransport?(): { getReadHeaders?(): Record<string, string> };
}

/** A struct that reads and writes itself, as generated structs do. */
interface Struct {
  read(input: TProtocol): void;
  write(output: TProtocol): void;
}

/** The parts of the library these helpers use, typed. */
export const Thrift = thrift.Thrift as {
  Type: Record<"STOP" | "STRING" | "I32" | "I64" | "STRUCT" | "LIST" | "MAP", number>;
  MessageType: Record<"CALL" | "REPLY" | "EXCEPTION" | "ONEWAY", number>;
  TApplicationException: new (type?: number, message?: string) => Struct & Error & {
    type: number;
  };
  TApplicationExceptionType: Record<"UNKNOWN_METHOD", number>;
};
const T = Thrift.Type;

/** The `Req` struct. */
export class Req implements Struct {
  name: string | null = null;
  count: number | null = null;
  tags: string[] | null = null;
  scores: Map<string, number> | null = null;
  constructor(args?: Partial<Pick<Req, "name" | "count" | "tags" | "scores">>) {
    Object.assign(this, args);
  }
  read(input: TProtocol): void {
    readFields(input, (ftype, fid) => {
      if (fid === 1 && ftype === T.STRING) this.name = input.readString();
      else if (fid === 2 && ftype === T.I32) this.count = input.readI32();
      else if (fid === 3 && ftype === T.LIST) {
        const list = input.readListBegin();
        this.tags = [];
        for (let i = 0; i < list.size; i++) this.tags.push(input.readString());
        input.readListEnd();
      } else if (fid === 4 && ftype === T.MAP) {
        const map = input.readMapBegin();
        this.scores = new Map();
        for (let i = 0; i < map.size; i++) {
          const key = input.readString();
          this.scores.set(key, input.readI64().toNumber());
        }
        input.readMapEnd();
      } else input.skip(ftype);
    });
  }
  write(output: TProtocol): void {
    output.writeStructBegin("Req");
    if (this.name !== null) {
      output.writeFieldBegin("name", T.STRING, 1);
      output.writeString(this.name);
      output.writeFieldEnd();
    }
    if (this.count !== null) {
      output.writeFieldBegin("count", T.I32, 2);
      output.writeI32(this.count);
      output.writeFieldEnd();
    }
    if (this.tags !== null) {
      output.writeFieldBegin("tags", T.LIST, 3);
      output.writeListBegin(T.STRING, this.tags.length);
      for (const tag of this.tags) output.writeString(tag);
      output.writeListEnd();
      output.writeFieldEnd();
    }
    if (this.scores !== null) {
      output.writeFieldBegin("scores", T.MAP, 4);
      output.writeMapBegin(T.STRING, T.I64, this.scores.size);
      for (const [key, value] of this.scores) {
        output.writeString(key);
        output.writeI64(value);
      }
      output.writeMapEnd();
      output.writeFieldEnd();
    }
    output.writeFieldStop();
    output.writeStructEnd();
  }
}

/** The `NotFound` exception. */
export class NotFound extends Error implements Struct {
  what: string | null;
  constructor(args?: { what?: string }) {
    super(args?.what ?? "");
    this.what = args?.what ?? null;
  }
  read(input: TProtocol): void {
    readFields(input, (ftype, fid) => {
      if (fid === 1 && ftype === T.STRING) this.what = input.readString();
      else input.skip(ftype);
    });
  }
  write(output: TProtocol): void {
    output.writeStructBegin("NotFound");
    if (this.what !== null) writeStringField(output, "what", 1, this.what);
    output.writeFieldStop();
    output.writeStructEnd();
  }
}

/** `Hello_sayHello_args` and `Hello_ping_args`: `{1: Req req}`. */
export class HelloArgs implements Struct {
  constructor(public req: Req | null = null) {}
  read(input: TProtocol): void {
    readFields(input, (ftype, fid) => {
      if (fid === 1 && ftype === T.STRUCT) {
        this.req = new Req();
        this.req.read(input);
      } else input.skip(ftype);
    });
  }
  write(output: TProtocol): void {
    output.writeStructBegin("Hello_sayHello_args");
    if (this.req !== null) {
      output.writeFieldBegin("req", T.STRUCT, 1);
      this.req.write(output);
      output.writeFieldEnd();
    }
    output.writeFieldStop();
    output.writeStructEnd();
  }
}

/** `Hello_sayHello_result`: `{0: string success, 1: NotFound notFound}`. */
export class SayHelloResult implements Struct {
  success: string | null = null;
  notFound: NotFound | null = null;
  constructor(args?: { success?: string } | NotFound) {
    if (args instanceof NotFound) this.notFound = args;
    else if (args?.success !== undefined) this.success = args.success;
  }
  read(input: TProtocol): void {
    readFields(input, (ftype, fid) => {
      if (fid === 0 && ftype === T.STRING) this.success = input.readString();
      else if (fid === 1 && ftype === T.STRUCT) {
        this.notFound = new NotFound();
        this.notFound.read(input);
      } else input.skip(ftype);
    });
  }
  write(output: TProtocol): void {
    output.writeStructBegin("Hello_sayHello_result");
    if (this.success !== null) writeStringField(output, "success", 0, this.success);
    if (this.notFound !== null) {
      output.writeFieldBegin("notFound", T.STRUCT, 1);
      this.notFound.write(output);
      output.writeFieldEnd();
    }
    output.writeFieldStop();
    output.writeStructEnd();
  }
}

function readFields(input: TProtocol, field: (ftype: number, fid: number) => void): void {
  input.readStructBegin();
  for (;;) {
    const { ftype, fid } = input.readFieldBegin();
    if (ftype === T.STOP) break;
    field(ftype, fid);
    input.readFieldEnd();
  }
  input.readStructEnd();
}

function writeStringField(output: TProtocol, name: string, id: number, value: string): void {
  output.writeFieldBegin(name, T.STRING, id);
  output.writeString(value);
  output.writeFieldEnd();
}
