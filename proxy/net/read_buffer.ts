/**
 * A read buffer for one connection whose decoded messages stay valid as views.
 *
 * Bytes are read into a chunk after its last filled byte and never written over: a frame
 * handed to the proxy as a `subarray` of the chunk stays intact for as long as anything
 * holds it (a pending request, a retry, an error reply built later). When the free space
 * runs short, a fresh chunk takes over and only the unconsumed tail (a partial frame) is
 * copied; the old chunk is freed by the garbage collector once no message views it.
 *
 * @module
 */

/** The default chunk size: large enough that one read carries many small frames. */
export const CHUNK_SIZE = 64 * 1024;
/** Below this much free space a new chunk is started before reading. */
const MIN_FREE = 4 * 1024;

/** Reused read space for one connection; see the module doc for the no-overwrite rule. */
export class ReadBuffer {
  #chunk: Uint8Array;
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
    if (this.#start === this.#end && this.#start === 0) return;
  }

  /**
   * The free space to read into, at least `need` bytes beyond the unconsumed ones (the
   * frame size a codec announced) when `need` is given.
   */
  space(need = 0): Uint8Array {
    const size = this.#end - this.#start;
    const wanted = Math.max(need - size, MIN_FREE);
    if (this.#chunk.length - this.#end < wanted) {
      const next = new Uint8Array(Math.max(this.#chunkSize, size + wanted));
      next.set(this.#chunk.subarray(this.#start, this.#end));
      this.#chunk = next;
      this.#start = 0;
      this.#end = size;
    }
    return this.#chunk.subarray(this.#end);
  }

  /** Records that `n` bytes were read into the last {@link space}. */
  filled(n: number): void {
    this.#end += n;
  }
}
