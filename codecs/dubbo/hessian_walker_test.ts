import assert from "node:assert/strict";
import { hessianBody } from "./_testing.ts";
import { HessianReader } from "./hessian_reader.ts";
import { skipValue } from "./hessian_walker.ts";
import { HessianWriter } from "./hessian_writer.ts";

function walk(bytes: Uint8Array | number[]): HessianReader {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const r = new HessianReader(b, 0, b.length);
  skipValue(r);
  return r;
}

function assertSkips(bytes: Uint8Array | number[], label: string) {
  const r = walk(bytes);
  assert.equal(r.error, "", `${label}: ${r.error}`);
  assert.equal(r.pos, bytes.length, `${label}: stopped at ${r.pos} of ${bytes.length}`);
}

Deno.test("skipValue() skips every fixed-size form exactly", () => {
  const forms: Record<string, number[]> = {
    "null": [0x4e],
    "true": [0x54],
    "false": [0x46],
    "int 1 byte": [0x90],
    "int 2 bytes": [0xc8, 0x30],
    "int 3 bytes": [0xd4, 0x01, 0x02],
    "int 4 bytes": [0x49, 0, 0, 1, 0],
    "long 1 byte": [0xe0],
    "long 2 bytes": [0xf8, 0x01],
    "long 3 bytes": [0x3c, 0x01, 0x02],
    "long as int": [0x59, 0, 0, 1, 0],
    "long 8 bytes": [0x4c, 0, 0, 0, 0, 0, 0, 1, 0],
    "double 0.0": [0x5b],
    "double 1.0": [0x5c],
    "double byte": [0x5d, 0x80],
    "double short": [0x5e, 0x01, 0x00],
    "double float": [0x5f, 0, 0, 0x30, 0x39],
    "double 8 bytes": [0x44, 0x40, 0x28, 0x80, 0, 0, 0, 0, 0],
    "date millis": [0x4a, 0, 0, 0, 0xd0, 0x4b, 0x92, 0x84, 0xb8],
    "date minutes": [0x4b, 0x00, 0xe3, 0x83, 0x8f],
    "binary compact": [0x23, 1, 2, 3],
    "binary 2-byte length": [0x34, 0x03, 9, 9, 9],
    "binary chunked": [0x41, 0, 2, 1, 2, 0x42, 0, 1, 3],
    "binary chunk then compact": [0x41, 0, 1, 7, 0x21, 8],
    "string compact": [0x03, 0x61, 0x62, 0x63],
    "string 2-byte length": [0x30, 0x02, 0x61, 0x62],
    "string S": [0x53, 0x00, 0x01, 0x61],
    "string chunked": [0x52, 0x00, 0x01, 0x61, 0x52, 0x00, 0x01, 0x62, 0x01, 0x63],
    "ref": [0x51, 0x90],
  };
  for (const [label, bytes] of Object.entries(forms)) assertSkips(bytes, label);
});

Deno.test("skipValue() skips lists, maps, class definitions and objects", () => {
  const forms: Record<string, number[]> = {
    "typed variable list": [0x55, 0x04, 0x5b, 0x69, 0x6e, 0x74, 0x90, 0x91, 0x5a],
    "typed fixed list": [0x56, 0x04, 0x5b, 0x69, 0x6e, 0x74, 0x92, 0x90, 0x91],
    "typed fixed list with type ref": [0x56, 0x90, 0x91, 0x4e],
    "untyped variable list": [0x57, 0x90, 0x4e, 0x5a],
    "untyped fixed list": [0x58, 0x92, 0x90, 0x91],
    "compact typed list": [0x72, 0x01, 0x78, 0x90, 0x91],
    "compact untyped list": [0x7a, 0x90, 0x91],
    "untyped map": [0x48, 0x01, 0x61, 0x90, 0x91, 0x4e, 0x5a],
    "typed map": [0x4d, 0x01, 0x54, 0x01, 0x61, 0x90, 0x5a],
    "class and compact object": [0x43, 0x01, 0x43, 0x92, 0x01, 0x61, 0x01, 0x62, 0x60, 0x90, 0x4e],
    "class and O object": [0x43, 0x01, 0x43, 0x91, 0x01, 0x61, 0x4f, 0x90, 0x54],
    "nested": [0x57, 0x48, 0x01, 0x6b, 0x79, 0x90, 0x5a, 0x5a],
  };
  for (const [label, bytes] of Object.entries(forms)) assertSkips(bytes, label);
});

Deno.test("skipValue() walks every value type hessian.js writes", () => {
  const values: Record<string, unknown> = {
    "negative int": -100000,
    "big int": 2147483647,
    "long": { $class: "long", $: 9007199254740991 },
    "double": 3.14159,
    "small double": 12.5,
    "date": new Date(1_700_000_000_123),
    "minute date": new Date(1_700_000_040_000),
    "bytes": new Uint8Array(5000).fill(7),
    "long string": "x".repeat(70_000),
    "unicode": "héllo wörld ✓ 😀",
    "unicode, 2-byte length": "é😀".repeat(30),
    "unicode, S form": "ü".repeat(2000),
    "list": [1, "two", null, true, 4.5],
    "typed list": { $class: "[java.lang.String", $: ["a", "b"] },
    "map": { a: 1, b: { c: [1, 2] } },
    "typed map": { $class: "java.util.HashMap", $: { a: "b" } },
    "object": { $class: "com.x.Foo", $: { a: 1, b: { $class: "com.x.Bar", $: { c: "d" } } } },
    "null": null,
  };
  for (const [label, value] of Object.entries(values)) {
    assertSkips(hessianBody(value), label);
  }
});

Deno.test("readString() counts UTF-16 units, with CESU-8 and 4-byte UTF-8 alike", () => {
  const cesu = hessianBody("a😀é");
  assert.equal(cesu[0], 4); // 'a', two surrogates, 'é'
  const r1 = new HessianReader(cesu, 0, cesu.length);
  assert.equal(r1.readString(), "a😀é");
  assert.equal(r1.pos, cesu.length);
  const utf8 = new Uint8Array([4, 0x61, ...new TextEncoder().encode("😀é")]);
  const r2 = new HessianReader(utf8, 0, utf8.length);
  assert.equal(r2.readString(), "a😀é");
  assert.equal(r2.pos, utf8.length);
});

Deno.test("readString() joins chunks written by HessianWriter", () => {
  const text = "ab😀".repeat(20_000);
  const bytes = new HessianWriter().string(text).finish();
  assert.equal(bytes[0], 0x52);
  const r = new HessianReader(bytes, 0, bytes.length);
  assert.equal(r.readString(), text);
  assert.equal(r.pos, bytes.length);
});

Deno.test("skipValue() reports truncation at the end of the range", () => {
  const full = hessianBody({ $class: "com.x.Foo", $: { a: "hello", b: [1, 2, 3] } });
  for (let n = 0; n < full.length; n++) {
    const r = new HessianReader(full, 0, n);
    assert.equal(skipValue(r), false, `prefix ${n}`);
    assert.match(r.error, /ends inside a Hessian value|exceeds the/);
  }
});

Deno.test("skipValue() rejects reserved tags, bad references and bogus lengths", () => {
  const cases: [number[], RegExp, number][] = [
    [[0x45], /unexpected Hessian tag 0x45/, 0],
    [[0x5a], /unexpected Hessian tag 0x5a/, 0],
    [[0x60], /class definition 0, but 0 are defined/, 0],
    [
      [0x58, 0x49, 0x7f, 0xff, 0xff, 0xff, 0x90],
      /length of 2147483647 exceeds the 1 bytes left/,
      1,
    ],
    [[0x58, 0x8f], /length of -1/, 1],
    [[0x51, 0x8f], /reference is negative/, 0],
    [[0x02, 0x80, 0x61], /invalid UTF-8/, 1],
    [[0x52, 0x00, 0x01, 0x61, 0x90], /expected a Hessian string, found tag 0x90/, 4],
    [[0x41, 0x00, 0x01, 0x61, 0x90], /expected a Hessian binary chunk/, 4],
    [[0x72, 0x4e, 0x90, 0x90], /expected a Hessian type, found tag 0x4e/, 1],
  ];
  for (const [bytes, reason, offset] of cases) {
    const r = walk(bytes);
    assert.match(r.error, reason, `bytes ${bytes}`);
    assert.equal(r.errorAt, offset, `bytes ${bytes}: ${r.error}`);
  }
});

Deno.test("skipValue() stops hostile nesting at the depth limit", () => {
  const deep = new Uint8Array(100_000).fill(0x79); // one-element untyped lists, nested
  const r = walk(deep);
  assert.match(r.error, /nest deeper than 512 levels/);
  assert.equal(r.errorAt, 512);
});
