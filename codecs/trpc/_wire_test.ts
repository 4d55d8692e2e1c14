import assert from "node:assert/strict";
import protobuf from "protobufjs";
import { varintSize, WireReader, writeVarint } from "./_wire.ts";

const VALUES = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, 2 ** 32 - 1, -1, -150, -(2 ** 31)];

Deno.test("writeVarint() writes what protobufjs writes for uint32 and int32", () => {
  for (const n of VALUES) {
    const w = protobuf.Writer.create();
    const want = (n < 0 ? w.int32(n) : w.uint32(n)).finish();
    const out = new Uint8Array(10);
    const end = writeVarint(out, 0, n);
    assert.deepEqual(out.subarray(0, end), new Uint8Array(want), `value ${n}`);
    assert.equal(varintSize(n), want.length, `size of ${n}`);
    const r = new WireReader(out, 0, end);
    assert.equal(r.varint() | 0, n | 0, `read back ${n}`);
    assert.equal(r.pos, end);
  }
});

Deno.test("WireReader records the first problem instead of throwing", () => {
  const eleven = new Uint8Array(11).fill(0x80);
  const r = new WireReader(eleven, 0, eleven.length);
  assert.equal(r.varint(), 0);
  assert.equal(r.error, "varint is longer than 10 bytes");
  assert.equal(r.more(), false);
  const cut = new WireReader(new Uint8Array([0x96]), 0, 1);
  cut.varint();
  assert.deepEqual([cut.error, cut.errorAt], ["varint runs past the end of the header", 0]);
  const zero = new WireReader(new Uint8Array([0x02, 0x00]), 0, 2);
  zero.tag();
  assert.match(zero.error ?? "", /no valid field number/);
});

Deno.test("WireReader.skip() walks nested groups and rejects unclosed or uneven ones", () => {
  // field 1 group { field 2 group { field 3 varint } } then field 4 varint
  const nested = new Uint8Array([0x0b, 0x13, 0x18, 0x05, 0x14, 0x0c, 0x20, 0x01]);
  const r = new WireReader(nested, 0, nested.length);
  const tag = r.tag();
  r.skip(tag & 7, tag >>> 3, 0);
  assert.deepEqual([r.error, r.pos], [undefined, 6]);
  const open = new WireReader(nested, 0, 4);
  open.skip(open.tag() & 7, 1, 0);
  assert.match(open.error ?? "", /not closed/);
  const uneven = new Uint8Array([0x0b, 0x14]);
  const u = new WireReader(uneven, 0, 2);
  u.skip(u.tag() & 7, 1, 0);
  assert.match(u.error ?? "", /ends unevenly/);
});
