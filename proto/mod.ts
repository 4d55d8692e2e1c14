/**
 * Protocol buffer schemas and helpers: the MetaProtocol proxy's `.proto` files written from the
 * data-plane spec (§2), loaded together with Envoy's, xds' and Google's protos (as shipped in
 * `@grpc/grpc-js-xds` under `deps/`) into one lazily loaded protobufjs root, and a strict proto3
 * JSON decoder that rejects unknown fields, so generated Envoy config can be checked against the
 * real schemas.
 *
 * This layer may import only `protobufjs` (and Deno built-ins to read the `.proto` files); it
 * needs read access to this folder and to the npm packages, which it finds by module resolution.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeJson, typeUrl } from "./mod.ts";
 * const r = decodeJson(typeUrl("aeraki.meta_protocol_proxy.filters.istio_stats.v1alpha.IstioStats"), {
 *   destinationService: "reviews.default.svc.cluster.local",
 * });
 * assert.equal(r.ok, true);
 * ```
 *
 * @module
 */
export {
  decodeJson,
  type DecodeOptions,
  type DecodeResult,
  encode,
  type EncodeResult,
  formatProblems,
  type Problem,
} from "./decode_json.ts";
export {
  lookupType,
  resolveType,
  TYPE_URL_PREFIX,
  type TypeLookup,
  typeNameOf,
  typeUrl,
} from "./registry.ts";
export * from "./type_urls.ts";
