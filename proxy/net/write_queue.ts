/**
 * Outgoing bytes of one connection, coalesced per microtask: every frame queued during one
 * turn of the event loop goes out in one `write` call. Frames are queued as views; the
 * queue copies them into its own buffer only when more than one is waiting.
 *
 * @module
 */

/** The part of `Deno.Conn` a queue writes to. */
export interface Writable {
  write(bytes: Uint8Array): Promise<number>;
}

/** Default level above which the owner should stop producing (bytes). */
export const HIGH_WATERMARK = 1024 * 1024;
/** Default level below which production may resume (bytes). */
export const LOW_WATERMARK = 256 * 1024;

const EMPTY = new Uint8Array(0);
/** Size of the coalescing buffer; a larger batch is written in several calls. */
const SCRATCH_SIZE = 64 * 1024;

/** Coalescing writer with watermarks; see the module doc. */
export class WriteQueue {
  #frames: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #scheduled = false;
  #closed = false;
  /** Allocated on the first coalesced write: a connection that never batches never pays. */
  #scratch = EMPTY;
  #drainWaiters: (() => void)[] = [];
  readonly #conn: Writable;
  readonly #onError: (error: unknown) => void;
  readonly #flush = () => this.#run();

  /** Writes to `conn`; a failed write calls `onError` once and drops what is queued. */
  constructor(conn: Writable, onError: (error: unknown) => void) {
    this.#conn = conn;
    this.#onError = onError;
  }

  /** Bytes queued and not yet written. */
  get queued(): number {
    return this.#queued;
  }

  /** Whether the queue is above the high watermark. */
  get high(): boolean {
    return this.#queued > HIGH_WATERMARK;
  }

  /** Queues `bytes` (kept as a view: it must not change until written). */
  push(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    this.#frames.push(bytes);
    this.#queued += bytes.length;
    if (!this.#scheduled && !this.#writing) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Resolves once the queue is at or below the low watermark (at once if it is). */
  belowLow(): Promise<void> {
    if (this.#queued <= LOW_WATERMARK || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Resolves once everything queued is written (or the queue closed). */
  async flushed(): Promise<void> {
    while (!this.#closed && (this.#queued > 0 || this.#writing)) {
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
  }

  /** Drops what is queued and refuses further bytes. */
  close(): void {
    this.#closed = true;
    this.#frames.length = 0;
    this.#queued = 0;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#frames.length > 0 && !this.#closed) {
        const out = this.#take();
        let done = 0;
        while (done < out.length) done += await this.#conn.write(out.subarray(done));
        this.#queued -= out.length;
        if (this.#queued <= LOW_WATERMARK) this.#wake();
      }
    } catch (error) {
      if (!this.#closed) {
        this.close();
        this.#onError(error);
      }
    } finally {
      this.#writing = false;
      this.#wake();
    }
  }

  /** The next bytes to write: one frame as is, or many copied into the scratch buffer. */
  #take(): Uint8Array {
    const frames = this.#frames;
    if (frames.length === 1) {
      const only = frames[0];
      frames.length = 0;
      return only;
    }
    let total = 0;
    let count = 0;
    const limit = Math.max(SCRATCH_SIZE, frames[0].length);
    while (count < frames.length && total + frames[count].length <= limit) {
      total += frames[count].length;
      count++;
    }
    if (count === 0) count = 1, total = frames[0].length;
    if (this.#scratch.length < total) this.#scratch = new Uint8Array(Math.max(SCRATCH_SIZE, total));
    const out = this.#scratch;
    let pos = 0;
    for (let i = 0; i < count; i++) {
      out.set(frames[i], pos);
      pos += frames[i].length;
    }
    frames.splice(0, count);
    return out.subarray(0, total);
  }
}
