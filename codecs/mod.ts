/**
 * Codecs: the protocol-neutral contract ({@link Codec}) and one folder per protocol.
 * Pure and synchronous; imports nothing of ours except `proto/`.
 *
 * @module
 */
export * from "./codec.ts";
export * from "./registry.ts";
export * from "./trpc/mod.ts";
export * from "./brpc/mod.ts";
