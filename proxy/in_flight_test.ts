import assert from "node:assert/strict";
import { InFlightList, type Listed } from "./in_flight.ts";

class Item implements Listed<Item> {
  prev: Item | undefined = undefined;
  next: Item | undefined = undefined;
  listed = false;
  constructor(readonly id: number) {}
}

Deno.test("InFlightList adds, deletes from any position once, and empties", () => {
  const list = new InFlightList<Item>();
  const items = [0, 1, 2, 3, 4].map((i) => new Item(i));
  for (const it of items) list.add(it);
  assert.equal(list.size, 5);
  assert.equal(list.delete(items[2]), true);
  assert.equal(list.delete(items[2]), false, "a second delete is refused");
  assert.equal(list.delete(items[4]), true, "the first item (last added)");
  assert.equal(list.delete(items[0]), true, "the last item");
  assert.equal(list.size, 2);
  assert.deepEqual(list.takeAll().map((i) => i.id).sort(), [1, 3]);
  assert.equal(list.size, 0);
  assert.equal(list.delete(items[1]), false);
  list.add(items[1]);
  assert.deepEqual(list.takeAll().map((i) => i.id), [1]);
});
