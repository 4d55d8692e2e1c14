/**
 * The xDS wire: Envoy's discovery messages from the bundled protos (protobufjs, snake_case
 * field names) and the gRPC method definitions of the two services we serve,
 * `envoy.service.discovery.v3.AggregatedDiscoveryService` and
 * `envoy.service.route.v3.RouteDiscoveryService`. A request that cannot be decoded becomes an
 * {@link InvalidMessage} instead of an exception, so it never closes the stream.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type * as grpc from "@grpc/grpc-js";
import type protobuf from "protobufjs";
import { lookupType } from "../../proto/mod.ts";

/** `google.rpc.Status` as a NACK carries it. */
export interface RpcStatus {
  readonly code?: number;
  readonly message?: string;
}

/** `envoy.config.core.v3.Node`, the fields we read. */
export interface NodeInfo {
  readonly id?: string;
  readonly cluster?: string;
}

/** A State-of-the-World `DiscoveryRequest`. */
export interface DiscoveryRequest {
  readonly version_info?: string;
  readonly node?: NodeInfo | null;
  readonly resource_names?: readonly string[];
  readonly type_url?: string;
  readonly response_nonce?: string;
  readonly error_detail?: RpcStatus | null;
}

/** A Delta `DeltaDiscoveryRequest`. */
export interface DeltaDiscoveryRequest {
  readonly node?: NodeInfo | null;
  readonly type_url?: string;
  readonly resource_names_subscribe?: readonly string[];
  readonly resource_names_unsubscribe?: readonly string[];
  readonly initial_resource_versions?: Readonly<Record<string, string>>;
  readonly response_nonce?: string;
  readonly error_detail?: RpcStatus | null;
}

/** A packed resource: `google.protobuf.Any`. */
export interface AnyMessage {
  readonly type_url: string;
  readonly value: Uint8Array;
}

/** A State-of-the-World `DiscoveryResponse`. */
export interface DiscoveryResponse {
  readonly version_info: string;
  readonly resources: readonly AnyMessage[];
  readonly type_url: string;
  readonly nonce: string;
}

/** A Delta `DeltaDiscoveryResponse`. */
export interface DeltaDiscoveryResponse {
  readonly system_version_info: string;
  readonly resources: ReadonlyArray<{ name: string; version: string; resource: AnyMessage }>;
  readonly type_url: string;
  readonly removed_resources: readonly string[];
  readonly nonce: string;
}

/** A request that could not be decoded; logged and ignored by the streams. */
export interface InvalidMessage {
  readonly invalid: string;
}

function type(name: string): protobuf.Type {
  const t = lookupType(name);
  if (!t) throw new Error(`Cannot load the xDS protos: message "${name}" is missing`);
  return t;
}

let types: Record<string, protobuf.Type> | undefined;

/** The four discovery message types (loaded once). */
export function discoveryTypes(): Record<
  "request" | "response" | "deltaRequest" | "deltaResponse",
  protobuf.Type
> {
  types ??= {
    request: type("envoy.service.discovery.v3.DiscoveryRequest"),
    response: type("envoy.service.discovery.v3.DiscoveryResponse"),
    deltaRequest: type("envoy.service.discovery.v3.DeltaDiscoveryRequest"),
    deltaResponse: type("envoy.service.discovery.v3.DeltaDiscoveryResponse"),
  };
  return types as ReturnType<typeof discoveryTypes>;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decoder<T>(t: protobuf.Type): (b: Buffer) => T | InvalidMessage {
  return (bytes) => {
    try {
      return t.decode(bytes) as unknown as T;
    } catch (e) {
      return { invalid: `Cannot decode ${t.name}: ${e instanceof Error ? e.message : e}` };
    }
  };
}

function method(
  path: string,
  request: protobuf.Type,
  response: protobuf.Type,
  stream: boolean,
): grpc.MethodDefinition<unknown, unknown> {
  return {
    path,
    requestStream: stream,
    responseStream: stream,
    requestSerialize: (m) => toBuffer(request.encode(m as protobuf.Message).finish()),
    requestDeserialize: decoder(request),
    responseSerialize: (m) => toBuffer(response.encode(m as protobuf.Message).finish()),
    responseDeserialize: decoder(response),
  };
}

/** The ADS service: StreamAggregatedResources (SotW) and DeltaAggregatedResources. */
export function adsServiceDefinition(): grpc.ServiceDefinition {
  const t = discoveryTypes();
  const base = "/envoy.service.discovery.v3.AggregatedDiscoveryService";
  return {
    StreamAggregatedResources: method(
      `${base}/StreamAggregatedResources`,
      t.request,
      t.response,
      true,
    ),
    DeltaAggregatedResources: method(
      `${base}/DeltaAggregatedResources`,
      t.deltaRequest,
      t.deltaResponse,
      true,
    ),
  };
}

/** The RDS service: StreamRoutes (SotW), DeltaRoutes and the unary FetchRoutes. */
export function rdsServiceDefinition(): grpc.ServiceDefinition {
  const t = discoveryTypes();
  const base = "/envoy.service.route.v3.RouteDiscoveryService";
  return {
    StreamRoutes: method(`${base}/StreamRoutes`, t.request, t.response, true),
    DeltaRoutes: method(`${base}/DeltaRoutes`, t.deltaRequest, t.deltaResponse, true),
    FetchRoutes: method(`${base}/FetchRoutes`, t.request, t.response, false),
  };
}

/**
 * A single-type discovery service (LDS, CDS, EDS): `Stream<Kind>` (SotW) and `Delta<Kind>`,
 * e.g. `typeServiceDefinition("envoy.service.listener.v3.ListenerDiscoveryService", "Listeners")`.
 */
export function typeServiceDefinition(service: string, kind: string): grpc.ServiceDefinition {
  const t = discoveryTypes();
  const base = `/${service}`;
  return {
    [`Stream${kind}`]: method(`${base}/Stream${kind}`, t.request, t.response, true),
    [`Delta${kind}`]: method(`${base}/Delta${kind}`, t.deltaRequest, t.deltaResponse, true),
  };
}
