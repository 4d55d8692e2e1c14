import assert from "node:assert/strict";
import { InternTable } from "./_intern.ts";
import { expectMessage, requestFrame } from "./_testing.ts";
import { dubboCodec } from "./mod.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

Deno.test("InternTable.set() stores a run offered twice in a row", () => {
  const table = new InternTable<string>(16, 64);
  const bytes = ascii("xx-hello-xx");
  table.set(bytes, 3, 8, "hello");
  assert.equal(table.get(bytes, 3, 8), undefined, "a one-off run is not stored");
  table.set(bytes, 3, 8, "hello");
  assert.equal(table.get(bytes, 3, 8), "hello");
  assert.equal(table.get(ascii("hellp"), 0, 5), undefined);
});

Deno.test("InternTable.get() never returns the value of other bytes", () => {
  const table = new InternTable<string>(4, 64); // 4 slots: most runs collide
  const words = Array.from({ length: 200 }, (_, i) => `key-${i % 7}-${i}-${i % 3}`);
  for (const w of words) {
    table.set(ascii(w), 0, w.length, w);
    table.set(ascii(w), 0, w.length, w);
  }
  for (const w of words) {
    const found = table.get(ascii(w), 0, w.length);
    assert.ok(found === undefined || found === w, `${w} -> ${found}`);
  }
});

Deno.test("dubboCodec.decode() reads repeated and nearly equal strings exactly", () => {
  // Runs that differ only in bytes the slot hash does not sample must not be confused.
  const methods = ["getUserById", "getUserByIx", "getUsexById", "gxtUserById"];
  for (let round = 0; round < 3; round++) {
    for (const method of methods) {
      const attachments = { trace: `abc-${method}-xyz`, group: method };
      const frame = requestFrame({ method, attachments });
      const message = expectMessage(dubboCodec.decode(frame));
      assert.equal(message.metadata.get("method"), method);
      assert.equal(message.metadata.get("trace"), `abc-${method}-xyz`);
      assert.equal(message.metadata.get("group"), method);
      assert.equal(message.operation, `com.example.Greeter/${method}`);
    }
  }
});

Deno.test("dubboCodec.decode() interns class definitions by their exact bytes", () => {
  // Same class name and field count, different field names: the walk must stay exact.
  for (let round = 0; round < 3; round++) {
    for (const field of ["alpha", "alphb"]) {
      const arg = { $class: "com.x.Same", $: { [field]: [1, 2], other: "v" } };
      const frame = requestFrame({ types: "Lcom/x/Same;", args: [arg], attachments: { k: field } });
      assert.equal(expectMessage(dubboCodec.decode(frame)).metadata.get("k"), field);
    }
  }
});
