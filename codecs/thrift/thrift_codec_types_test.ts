import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { thriftCodec } from "./mod.ts";
import { libWrite, STACKS } from "./_test_peer.ts";
import { Thrift, type TProtocol } from "./_test_service.ts";
import { bytes } from "./_test_bytes.ts";

/** The library's writers the generated structs above do not need. */
type Writer = TProtocol & {
  writeBool(value: boolean): void;
  writeByte(value: number): void;
  writeI16(value: number): void;
  writeDouble(value: number): void;
  writeBinary(value: Buffer): void;
  writeUuid(value: string): void;
  writeSetBegin(type: number, size: number): void;
  writeSetEnd(): void;
};

const T = Thrift.Type as Record<string, number>;

function field(p: Writer, type: number, id: number, write: () => void): void {
  p.writeFieldBegin("f", type, id);
  write();
  p.writeFieldEnd();
}

/** A struct with a field of every type, nested containers and structs, ids far apart. */
function everything(p: Writer, depth: number): void {
  p.writeStructBegin("Everything");
  field(p, T.BOOL, 1, () => p.writeBool(true));
  field(p, T.BOOL, 2, () => p.writeBool(false));
  field(p, T.BYTE, 3, () => p.writeByte(-7));
  field(p, T.I16, 4, () => p.writeI16(-30000));
  field(p, T.I32, 20, () => p.writeI32(-2_000_000_000));
  field(p, T.I64, 300, () => p.writeI64(-(2 ** 52)));
  field(p, T.DOUBLE, 6, () => p.writeDouble(Math.PI));
  field(p, T.STRING, 7, () => p.writeString("héllo ✓"));
  field(p, T.STRING, 8, () => p.writeBinary(Buffer.from([0, 1, 2, 255])));
  field(p, T.UUID, 9, () => p.writeUuid("00112233-4455-6677-8899-aabbccddeeff"));
  field(p, T.LIST, 10, () => {
    p.writeListBegin(T.BOOL, 20);
    for (let i = 0; i < 20; i++) p.writeBool(i % 3 === 0);
    p.writeListEnd();
  });
  field(p, T.SET, 11, () => {
    p.writeSetBegin(T.I32, 3);
    for (const n of [1, -1, 1 << 30]) p.writeI32(n);
    p.writeSetEnd();
  });
  field(p, T.MAP, 12, () => {
    p.writeMapBegin(T.STRING, T.DOUBLE, 2);
    for (const k of ["a", "b"]) {
      p.writeString(k);
      p.writeDouble(1.5);
    }
    p.writeMapEnd();
  });
  field(p, T.MAP, 13, () => {
    p.writeMapBegin(T.I16, T.LIST, 0);
    p.writeMapEnd();
  });
  if (depth > 0) {
    field(p, T.STRUCT, 14, () => everything(p, depth - 1));
    field(p, T.LIST, 15, () => {
      p.writeListBegin(T.STRUCT, 2);
      everything(p, depth - 1);
      everything(p, depth - 1);
      p.writeListEnd();
    });
  }
  p.writeFieldStop();
  p.writeStructEnd();
}

for (const s of STACKS) {
  Deno.test(`thriftCodec.decode() walks every Thrift type the library writes (${s.name})`, () => {
    const message = (seqid: number) =>
      libWrite(s, (p) => {
        p.writeMessageBegin("everything", 1, seqid);
        everything(p as Writer, 2);
        p.writeMessageEnd();
      });
    const first = message(1);
    const input = bytes(first, message(2));
    const result = thriftCodec.decode(input);
    if (result.kind !== "message") assert.fail(JSON.stringify(result));
    assert.equal(result.bytesConsumed, first.length);
    assert.equal(result.message.metadata.get("method"), "everything");
    const second = thriftCodec.decode(input.subarray(result.bytesConsumed));
    assert.equal(second.kind === "message" && second.message.requestId, 2n);
    for (let i = 0; i < first.length; i++) {
      assert.equal(thriftCodec.decode(first.subarray(0, i)).kind, "need-more", `prefix ${i}`);
    }
  });
}
