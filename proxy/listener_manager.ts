/**
 * The listeners of a running proxy and their changes at run time, as Envoy's listener
 * manager does them: a new listener binds its socket; an updated listener of the same
 * address takes over the old one's bound socket (the port is never unbound, so no connection
 * attempt is refused) while the old one keeps its connections on its old filter chain and
 * retires (drains after the listener drain time); a removed listener unbinds and retires.
 *
 * @module
 */
import type { Codec } from "../codecs/codec.ts";
import type { ListenerModel } from "./config/model.ts";
import type { ProxyCore } from "./core.ts";
import { Listener } from "./listener.ts";

/** Where codecs come from. */
export type CodecLookup = { get(name: string): Codec | undefined };

/** Options of a {@link ListenerManager}. */
export interface ListenerManagerOptions {
  readonly codecs: CodecLookup;
  /** How long a retired listener's connections keep serving before they drain (ms). */
  readonly listenerDrainMs: number;
  /** How long a drain waits for in-flight requests before closing (ms). */
  readonly drainTimeoutMs: number;
}

/** See the module doc. */
export class ListenerManager {
  readonly #core: ProxyCore;
  readonly #options: ListenerManagerOptions;
  readonly listeners = new Map<string, Listener>();
  /** Bound ports by listener name. */
  readonly ports = new Map<string, number>();
  readonly #retiring = new Set<Listener>();

  constructor(core: ProxyCore, options: ListenerManagerOptions) {
    this.#core = core;
    this.#options = options;
  }

  /** Builds a listener for `model`; throws with a clear message when its codec is unknown. */
  create(model: ListenerModel): Listener {
    const codec = this.#options.codecs.get(model.codec);
    if (!codec) {
      throw new Error(`Cannot start listener "${model.name}": unknown codec "${model.codec}"`);
    }
    return new Listener(model, codec, this.#core);
  }

  /** Adds or replaces listeners; returns one error per listener that could not start. */
  update(models: readonly ListenerModel[]): string[] {
    const errors: string[] = [];
    for (const model of models) {
      try {
        this.#updateOne(model);
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    return errors;
  }

  #updateOne(model: ListenerModel): void {
    const next = this.create(model);
    const old = this.listeners.get(model.name);
    let port: number;
    if (old?.sameSocket(model)) {
      port = next.takeOver(old);
    } else {
      try {
        port = next.listen();
      } catch (e) {
        next.close();
        const reason = e instanceof Error ? e.message : String(e);
        throw new Error(
          `Cannot start listener "${model.name}" on ${model.address}:${model.port}: ${reason}`,
        );
      }
    }
    this.listeners.set(model.name, next);
    this.ports.set(model.name, port);
    if (old) this.#retire(old);
  }

  /** Removes listeners by name: they unbind and retire. */
  remove(names: readonly string[]): void {
    for (const name of names) {
      const l = this.listeners.get(name);
      if (!l) continue;
      this.listeners.delete(name);
      this.ports.delete(name);
      this.#retire(l);
    }
  }

  #retire(l: Listener): void {
    this.#retiring.add(l);
    l.retire(this.#options.listenerDrainMs, this.#options.drainTimeoutMs)
      .finally(() => this.#retiring.delete(l));
  }

  /** Every listener, retiring ones included. */
  all(): Listener[] {
    return [...this.listeners.values(), ...this.#retiring];
  }

  /** Stops accepting everywhere and drains every connection within `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.all().map((l) => l.drain(timeoutMs)));
  }

  /** Closes every socket and connection now. */
  close(): void {
    for (const l of this.all()) l.close();
  }
}
