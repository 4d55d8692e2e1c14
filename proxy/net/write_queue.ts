/**
 * Outgoing bytes of one connection, coalesced per microtask: every frame queued during one
 * turn of the event loop goes out in one `write` call.
 *
 * A pushed frame is copied at once into the queue's fill buffer, so the caller may reuse or
 * overwrite its bytes as soon as `push` returns (read buffers recycle their space on that
 * promise). Two buffers take turns: one is written while the other fills. A buffer larger
 * than {@link KEEP_SIZE} is kept while the writes fill a quarter of it (a steady stream of
 * large batches, like a shared upstream connection's) and dropped after a smaller write, so
 * a burst does not leave an idle connection holding a large buffer.
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
/** The first size of a fill buffer. */
const INITIAL_SIZE = 16 * 1024;
/** Buffers up to this size are always kept for reuse; see the module doc for larger ones. */
export const KEEP_SIZE = 64 * 1024;

/** Coalescing writer with watermarks; see the module doc. */
export class WriteQueue {
  /** The buffer frames are copied into; allocated on the first push. */
  #fill = EMPTY;
  #fillLength = 0;
  /** The other buffer: being written, or free for the next swap. */
  #spare = EMPTY;
  #queued = 0;
  #writing = false;
  #scheduled = false;
  #closed = false;
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

  /** Queues a copy of `bytes`. */
  push(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.#closed || n === 0) return;
    const at = this.#fillLength;
    if (at + n > this.#fill.length) this.#grow(at + n);
    this.#fill.set(bytes, at);
    this.#fillLength = at + n;
    this.#queued += n;
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
    this.#fill = this.#spare = EMPTY;
    this.#fillLength = 0;
    this.#queued = 0;
    this.#wake();
  }

  #grow(needed: number): void {
    let size = this.#fill.length === 0 ? INITIAL_SIZE : this.#fill.length * 2;
    while (size < needed) size *= 2;
    // The spare may already be large enough (it was written and is free while filling).
    if (!this.#writing && this.#spare.length >= needed && this.#fillLength === 0) {
      const s = this.#spare;
      this.#spare = this.#fill;
      this.#fill = s;
      return;
    }
    const next = new Uint8Array(size);
    next.set(this.#fill.subarray(0, this.#fillLength));
    this.#fill = next;
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
      while (this.#fillLength > 0 && !this.#closed) {
        // Swap: the filled buffer is written while new frames go into the other one.
        const full = this.#fill;
        const out = full.subarray(0, this.#fillLength);
        this.#fill = this.#spare;
        this.#fillLength = 0;
        this.#spare = full;
        let done = 0;
        while (done < out.length) done += await this.#conn.write(out.subarray(done));
        if (this.#closed) break;
        if (full.length > KEEP_SIZE && out.length * 4 < full.length) this.#spare = EMPTY;
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
}
