/**
 * Loads `proto/trpc.proto` (the tRPC wire headers) into a protobufjs {@link protobuf.Root}.
 * The tRPC codec reads these headers with its own small wire reader; this loader serves
 * tests, benchmarks and tools that need an independent protobuf implementation.
 *
 * @module
 */
import protobuf from "protobufjs";

/** The `.proto` source of the tRPC headers, next to this file. */
export const TRPC_PROTO_URL: URL = new URL("./trpc.proto", import.meta.url);

let cached: protobuf.Root | undefined;

/**
 * Parses `proto/trpc.proto` once (needs read permission) and returns its root; look types
 * up as `trpc.RequestProtocol`, `trpc.ResponseProtocol`, `trpc.TrpcStreamInitMeta`, …
 */
export function loadTrpcProto(): protobuf.Root {
  if (!cached) {
    const source = Deno.readTextFileSync(TRPC_PROTO_URL);
    cached = protobuf.parse(source, { keepCase: true }).root;
  }
  return cached;
}
