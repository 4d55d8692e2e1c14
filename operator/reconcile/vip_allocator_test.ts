import assert from "node:assert/strict";
import { VipAllocator } from "./vip_allocator.ts";

function assigned(vips: VipAllocator, key: string): string {
  const d = vips.decide({ key });
  assert.equal(d.action, "assign");
  return (d as { address: string }).address;
}

Deno.test("VipAllocator hands out upstream's sequence", () => {
  const vips = new VipAllocator();
  assert.deepEqual(["a", "b", "c"].map((k) => assigned(vips, k)), [
    "240.240.0.1",
    "240.240.0.2",
    "240.240.0.3",
  ]);
  // The cases of upstream's unit test (serviceetnry_test.go).
  assert.equal(assigned(new VipAllocator(255), "x"), "240.240.1.1");
  assert.equal(assigned(new VipAllocator(256), "x"), "240.240.1.1");
  assert.equal(assigned(new VipAllocator(255 * 254 + 100), "x"), "240.240.254.100");
});

Deno.test("VipAllocator never hands out .0 or .255, also after a wrap", () => {
  const vips = new VipAllocator(255 * 255 - 2);
  assert.deepEqual(["a", "b", "c"].map((k) => assigned(vips, k)), [
    "240.240.254.253",
    "240.240.254.254",
    "240.240.0.1",
  ]);
});

Deno.test("VipAllocator keeps foreign, unique and NONE addresses and reassigns duplicates", () => {
  const vips = new VipAllocator();
  assert.deepEqual(vips.decide({ key: "ns/dns", resolution: "NONE" }), { action: "keep" });
  assert.deepEqual(vips.decide({ key: "ns/own", addresses: ["10.0.0.9"] }), { action: "keep" });
  assert.deepEqual(vips.decide({ key: "ns/a", addresses: ["240.240.0.1"] }), { action: "keep" });
  assert.equal(vips.ownerOf("240.240.0.1"), "ns/a");
  // A second entry claiming the same VIP (copied YAML) gets a fresh one, skipping held ones.
  assert.deepEqual(vips.decide({ key: "ns/b", addresses: ["240.240.0.1"] }), {
    action: "assign",
    address: "240.240.0.2",
  });
  // Its own VIP seen again (an update) is kept.
  assert.deepEqual(vips.decide({ key: "ns/b", addresses: ["240.240.0.2"] }), { action: "keep" });
});

Deno.test("VipAllocator frees a deleted entry's VIP for the next wrap and reports a full range", () => {
  const vips = new VipAllocator();
  for (let i = 0; i < 255 * 254; i++) assigned(vips, `k${i}`);
  assert.deepEqual(vips.decide({ key: "late" }), { action: "exhausted" });
  vips.release("k41");
  assert.equal(vips.ownerOf("240.240.0.42"), undefined);
  assert.deepEqual(vips.decide({ key: "late" }), { action: "assign", address: "240.240.0.42" });
});
