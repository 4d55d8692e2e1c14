/**
 * Access-log sinks: formatted entries are buffered and written in batches (on a short timer
 * or when the buffer passes a size), like Envoy's file flusher, so the message path never
 * waits on a disk. `/dev/stdout` and `/dev/stderr` go to the process's streams; other paths
 * are opened for append (created if missing). One writer per path is shared by every sink
 * that names it.
 *
 * @module
 */
import type { AccessLogCallback, AccessLogEntry, ListenerModel } from "../config/model.ts";
import type { AccessLogConfig } from "./config.ts";
import { compileFormat, type Formatter } from "./format.ts";

/** Where formatted lines go; `write` must not throw. */
export interface LogWriter {
  write(line: string): void;
  /** Writes everything buffered now. */
  flush(): void;
  close(): void;
}

/** Options of {@linkcode BufferedWriter}. */
export interface BufferedWriterOptions {
  /** Flush after this long (ms). @default 1000, Envoy's file_flush_interval */
  readonly flushIntervalMs?: number;
  /** Flush as soon as this many bytes are buffered. @default 65536 */
  readonly maxBufferBytes?: number;
  /** Reports a failed write once per failure streak (never throws into the proxy). */
  readonly onError?: (error: Error) => void;
}

type SyncTarget = { writeSync(p: Uint8Array): number; close?(): void };

/** Buffers lines and writes them to a synchronous target in batches. */
export class BufferedWriter implements LogWriter {
  readonly #target: SyncTarget;
  readonly #interval: number;
  readonly #max: number;
  readonly #onError: (e: Error) => void;
  readonly #encoder = new TextEncoder();
  #lines: string[] = [];
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failing = false;

  constructor(target: SyncTarget, options: BufferedWriterOptions = {}) {
    this.#target = target;
    this.#interval = options.flushIntervalMs ?? 1000;
    this.#max = options.maxBufferBytes ?? 65536;
    this.#onError = options.onError ??
      ((e) => console.error(`Cannot write the access log: ${e.message}`));
  }

  write(line: string): void {
    this.#lines.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= this.#max) this.flush();
    else if (this.#timer === undefined) {
      const timer = setTimeout(() => this.flush(), this.#interval);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const bytes = this.#encoder.encode(this.#lines.join(""));
    this.#lines = [];
    this.#bytes = 0;
    try {
      for (let off = 0; off < bytes.length;) off += this.#target.writeSync(bytes.subarray(off));
      this.#failing = false;
    } catch (e) {
      if (!this.#failing) this.#onError(e as Error);
      this.#failing = true;
    }
  }

  close(): void {
    this.flush();
    try {
      this.#target.close?.();
    } catch {
      // Already closed: nothing was lost, every line was flushed above.
    }
  }
}

/** Opens the writer for `path`: stdout/stderr, or a file opened for append. */
export function openWriter(path: string, options: BufferedWriterOptions = {}): LogWriter {
  if (path === "/dev/stdout") {
    return new BufferedWriter({ writeSync: (p) => Deno.stdout.writeSync(p) }, options);
  }
  if (path === "/dev/stderr") {
    return new BufferedWriter({ writeSync: (p) => Deno.stderr.writeSync(p) }, options);
  }
  return new BufferedWriter(Deno.openSync(path, { append: true, create: true }), options);
}

/** Access logging for a set of listeners: the proxy's callback plus flush/close. */
export interface AccessLogs {
  readonly callback: AccessLogCallback;
  flush(): void;
  close(): void;
}

/** Options of {@linkcode createAccessLogs}. */
export interface AccessLogsOptions extends BufferedWriterOptions {
  /** Opens a writer per path. @default openWriter */
  readonly open?: (path: string) => LogWriter;
}

/**
 * Compiles every listener's sinks (formats parsed once) and opens one writer per path.
 * Throws when a format or file cannot be used, before any traffic.
 */
export function createAccessLogs(
  listeners: readonly ListenerModel[],
  options: AccessLogsOptions = {},
): AccessLogs {
  const open = options.open ?? ((p: string) => openWriter(p, options));
  const writers = new Map<string, LogWriter>();
  const sinks = new Map<string, { format: Formatter; writer: LogWriter }[]>();
  for (const l of listeners) {
    sinks.set(
      l.name,
      l.accessLogs.map((s) => {
        const config = s.config as AccessLogConfig;
        const f = compileFormat(config.format, config.omitEmptyValues);
        if (!f.ok) {
          throw new Error(
            `Cannot use access log "${s.name}" of listener "${l.name}": ${f.message}`,
          );
        }
        let writer = writers.get(config.path);
        if (!writer) writers.set(config.path, writer = open(config.path));
        return { format: f.format, writer };
      }),
    );
  }
  const callback = (listener: ListenerModel, sink: number, entry: AccessLogEntry) => {
    const s = sinks.get(listener.name)?.[sink];
    if (!s) return;
    try {
      s.writer.write(s.format(entry));
    } catch (e) {
      console.error(`Cannot format an access-log entry: ${(e as Error).message}`);
    }
  };
  return {
    callback,
    flush: () => writers.forEach((w) => w.flush()),
    close: () => writers.forEach((w) => w.close()),
  };
}
