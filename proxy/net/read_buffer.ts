/**
 * A read buffer for one connection whose decoded messages stay valid as views while held.
 *
 * Bytes are read into a chunk after its last filled byte. A frame handed to the proxy as a
 * `subarray` of the chunk stays intact for as long as the chunk is held: whoever keeps a
 * message beyond the current turn (a pending request, a retry, an error reply built later)
 * takes a {@link Hold} on the chunk with {@link ReadBuffer.hold} and releases it with
 * {@link release} when done. When the free space runs short, a chunk nobody holds is
 * compacted in place (only the unconsumed tail, a partial frame, moves to the start);
 * a held chunk is left alone and a free spare, or else a fresh chunk, takes over. So a
 * connection whose requests finish keeps reusing the same memory instead of leaving a
 * trail of chunks to the garbage collector.
 *
 * @module
 */

/** The default chunk size: large enough that one read carries many small frames. */
export const CHUNK_SIZE = 64 * 1024;
/** Below this much free space a new chunk is started before reading. */
const MIN_FREE = 4 * 1024;

/** A count of the messages that still view one chunk; see {@link ReadBuffer.hold}. */
export interface Hold {
  count: number;
}

/** Gives back a hold taken with {@link ReadBuffer.hold}; call exactly once per hold. */
export function release(hold: Hold): void {
  hold.count--;
}

/** Reused read space for one connection; see the module doc for the hold rule. */
export class ReadBuffer {
  #chunk: Uint8Array;
  #hold: Hold = { count: 0 };
  /** A previous chunk, reused once nobody holds it. */
  #spare: Uint8Array | undefined;
  #spareHold: Hold = { count: 0 };
  /** Start of the unconsumed bytes. */
  #start = 0;
  /** End of the filled bytes. */
  #end = 0;
  readonly #chunkSize: number;

  constructor(chunkSize: number = CHUNK_SIZE) {
    this.#chunkSize = chunkSize;
    this.#chunk = new Uint8Array(chunkSize);
  }

  /** The unconsumed bytes, starting at a frame boundary. */
  get pending(): Uint8Array {
    return this.#chunk.subarray(this.#start, this.#end);
  }

  /** How many unconsumed bytes are buffered. */
  get size(): number {
    return this.#end - this.#start;
  }

  /** Marks `n` bytes at the start of {@link pending} as consumed. */
  consume(n: number): void {
    this.#start += n;
  }

  /**
   * Keeps the current chunk from being written over until the hold is released: take one
   * for every decoded message kept beyond the current turn.
   */
  hold(): Hold {
    this.#hold.count++;
    return this.#hold;
  }

  /**
   * The free space to read into, at least `need` bytes beyond the unconsumed ones (the
   * frame size a codec announced) when `need` is given.
   */
  space(need = 0): Uint8Array {
    const size = this.#end - this.#start;
    const wanted = Math.max(need - size, MIN_FREE);
    if (this.#chunk.length - this.#end >= wanted) return this.#chunk.subarray(this.#end);
    if (this.#hold.count === 0 && this.#chunk.length >= size + wanted) {
      this.#chunk.copyWithin(0, this.#start, this.#end);
    } else {
      this.#switch(size + wanted);
    }
    this.#start = 0;
    this.#end = size;
    return this.#chunk.subarray(this.#end);
  }

  /** Moves the unconsumed bytes to the free spare or a fresh chunk of at least `min` bytes. */
  #switch(min: number): void {
    const old = this.#chunk;
    const oldHold = this.#hold;
    const spare = this.#spare;
    let next: Uint8Array;
    let nextHold: Hold;
    if (spare && this.#spareHold.count === 0 && spare.length >= min) {
      next = spare;
      nextHold = this.#spareHold;
    } else {
      next = new Uint8Array(Math.max(this.#chunkSize, min));
      nextHold = { count: 0 };
    }
    next.set(old.subarray(this.#start, this.#end));
    this.#chunk = next;
    this.#hold = nextHold;
    // Only a chunk of the usual size is worth keeping; a grown one goes to the collector.
    if (old.length === this.#chunkSize) {
      this.#spare = old;
      this.#spareHold = oldHold;
    } else if (this.#spare === next) {
      this.#spare = undefined;
    }
  }

  /** Records that `n` bytes were read into the last {@link space}. */
  filled(n: number): void {
    this.#end += n;
  }
}
