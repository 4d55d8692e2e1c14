/**
 * The codec registry: codecs by registry name (`aeraki.meta_protocol.codec.dubbo`, …) and
 * by application protocol (`dubbo`, …), with the built-in codecs preloaded.
 *
 * @module
 */
import type { Codec } from "./codec.ts";
import { brpcCodec } from "./brpc/mod.ts";
import { dubboCodec } from "./dubbo/mod.ts";
import { thriftCodec } from "./thrift/mod.ts";
import { trpcCodec } from "./trpc/mod.ts";

/**
 * Codecs by name and by protocol. Registering a codec whose name or protocol is already
 * taken replaces the earlier codec for that key, so custom codecs can override built-ins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CodecRegistry, defaultCodecs } from "./registry.ts";
 * const registry = new CodecRegistry(defaultCodecs());
 * assert.equal(registry.get("aeraki.meta_protocol.codec.trpc")?.protocol, "trpc");
 * assert.equal(registry.forProtocol("TRPC")?.name, "aeraki.meta_protocol.codec.trpc");
 * ```
 */
export class CodecRegistry {
  #byName = new Map<string, Codec>();
  #byProtocol = new Map<string, Codec>();

  /** Creates a registry holding `codecs` (none by default). */
  constructor(codecs: Iterable<Codec> = []) {
    for (const codec of codecs) this.register(codec);
  }

  /** Adds `codec`, replacing any codec registered under the same name or protocol. */
  register(codec: Codec): this {
    const protocol = codec.protocol.toLowerCase();
    for (const old of [this.#byName.get(codec.name), this.#byProtocol.get(protocol)]) {
      if (old === undefined) continue;
      this.#byName.delete(old.name);
      this.#byProtocol.delete(old.protocol.toLowerCase());
    }
    this.#byName.set(codec.name, codec);
    this.#byProtocol.set(protocol, codec);
    return this;
  }

  /** The codec registered as `name` (e.g. `aeraki.meta_protocol.codec.dubbo`). */
  get(name: string): Codec | undefined {
    return this.#byName.get(name);
  }

  /** The codec of application protocol `protocol` (e.g. `dubbo`), case-insensitively. */
  forProtocol(protocol: string): Codec | undefined {
    return this.#byProtocol.get(protocol.toLowerCase());
  }

  /** Every registered codec, sorted by name. */
  list(): Codec[] {
    return [...this.#byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every registered protocol, sorted. */
  protocols(): string[] {
    return this.list().map((c) => c.protocol).sort();
  }
}

/** The built-in codecs: bRPC, Dubbo, Thrift and tRPC. */
export function defaultCodecs(): Codec[] {
  return [brpcCodec, dubboCodec, thriftCodec, trpcCodec];
}

/** A new registry holding the built-in codecs ({@link defaultCodecs}). */
export function defaultRegistry(): CodecRegistry {
  return new CodecRegistry(defaultCodecs());
}
