/**
 * The live view drawn in a terminal: redrawn in place every second (cursor up, clear down),
 * erased before a log line is written so the two never overwrite each other. Runs as a fiber
 * of the caller's scope.
 *
 * @module
 */
import { Effect, type Scope } from "effect";
import { type LiveCounters, renderLiveView } from "./live_view.ts";

/** Where the view is drawn. */
export interface TerminalViewOptions {
  /** Writes to the terminal. */
  readonly write: (text: string) => void;
  /** Refresh interval (ms). @default 1000 */
  readonly intervalMs?: number;
  /** The first line of the view, e.g. the xDS port and the config version. */
  readonly status: () => string;
}

/** A live view and the logger that keeps clear of it. */
export class TerminalView {
  readonly #options: TerminalViewOptions;
  readonly #counters: LiveCounters;
  #shown = 0;
  #last = performance.now();

  /** A view of `counters`; nothing is drawn before {@link draw}. */
  constructor(counters: LiveCounters, options: TerminalViewOptions) {
    this.#counters = counters;
    this.#options = options;
  }

  #erase(): void {
    if (this.#shown > 0) this.#options.write(`\x1b[${this.#shown}A\x1b[J`);
    this.#shown = 0;
  }

  /** Redraws the view with the rates since the previous draw. */
  draw(): void {
    const now = performance.now();
    const lines = renderLiveView(this.#counters.tick(now - this.#last), this.#options.status());
    this.#last = now;
    this.#erase();
    this.#options.write(lines.join("\n") + "\n");
    this.#shown = lines.length;
  }

  /** Wraps `log` so its lines appear above the view, never inside it. */
  logAbove(log: (line: string) => void): (line: string) => void {
    return (line) => {
      this.#erase();
      log(line);
    };
  }

  /** Redraws every interval until the scope closes. */
  run(): Effect.Effect<void, never, Scope.Scope> {
    const tick = Effect.sleep(this.#options.intervalMs ?? 1000).pipe(
      Effect.andThen(Effect.sync(() => this.draw())),
    );
    return Effect.asVoid(Effect.forkScoped(Effect.forever(tick)));
  }
}
