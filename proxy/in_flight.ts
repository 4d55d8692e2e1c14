/**
 * The requests in flight on one downstream connection: a doubly linked list through the
 * exchanges' own `prev`/`next` fields. Adding and removing cost a few field writes; a `Set`
 * would hash each new exchange object (V8 gives an object an identity hash on first use,
 * which grows its property store), measurable at a hundred thousand requests a second.
 *
 * @module
 */

/** An item of an {@link InFlightList}; its fields belong to the list. */
export interface Listed<T> {
  prev: T | undefined;
  next: T | undefined;
  listed: boolean;
}

/** See the module doc. */
export class InFlightList<T extends Listed<T>> {
  #first: T | undefined;
  #size = 0;

  /** How many items are on the list. */
  get size(): number {
    return this.#size;
  }

  /** Adds `item` (not on any list). */
  add(item: T): void {
    item.listed = true;
    item.prev = undefined;
    item.next = this.#first;
    if (this.#first) this.#first.prev = item;
    this.#first = item;
    this.#size++;
  }

  /** Removes `item`; false if it was not on the list. */
  delete(item: T): boolean {
    if (!item.listed) return false;
    item.listed = false;
    if (item.prev) item.prev.next = item.next;
    else this.#first = item.next;
    if (item.next) item.next.prev = item.prev;
    item.prev = item.next = undefined;
    this.#size--;
    return true;
  }

  /** Empties the list and returns what was on it. */
  takeAll(): T[] {
    const out: T[] = [];
    let item = this.#first;
    while (item) {
      const next = item.next;
      item.listed = false;
      item.prev = item.next = undefined;
      out.push(item);
      item = next;
    }
    this.#first = undefined;
    this.#size = 0;
    return out;
  }
}
