/**
 * Aeraki for Deno: mesh config as TypeScript (cdk8s constructs), the operator that turns
 * Aeraki's CRDs into EnvoyFilters and MetaProtocol routes, and the embedded MetaProtocol proxy.
 *
 * @module
 */
export * from "./codecs/mod.ts";
