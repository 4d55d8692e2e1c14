/**
 * The gRPC server: ADS (SotW and Delta), RDS (SotW, Delta and Fetch) and LDS, CDS and EDS
 * (SotW and Delta) on one port, plain or TLS, with mutual TLS when a client CA is given. Every stream runs a session over the shared
 * snapshot cache; a session's failure is logged and never closes the stream or touches
 * another one.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from "../../proto/mod.ts";
import type { SnapshotCache } from "./cache.ts";
import { DeltaSession } from "./delta_session.ts";
import { SotwSession } from "./sotw_session.ts";
import type { XdsLog } from "./_session.ts";
import { entriesVersion, type ResourceEntry } from "./snapshot.ts";
import type { XdsStatus } from "./status.ts";
import {
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DiscoveryRequest,
  type InvalidMessage,
  rdsServiceDefinition,
  typeServiceDefinition,
} from "./_wire.ts";

const TYPE_SERVICES = [
  ["envoy.service.listener.v3.ListenerDiscoveryService", "Listeners", LISTENER_TYPE_URL],
  ["envoy.service.cluster.v3.ClusterDiscoveryService", "Clusters", CLUSTER_TYPE_URL],
  [
    "envoy.service.endpoint.v3.EndpointDiscoveryService",
    "Endpoints",
    CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  ],
] as const;

/** TLS material (PEM). With `clientCa`, clients must present a certificate it signed. */
export interface XdsTlsOptions {
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
  /** CA bundle for client certificates: mutual TLS. */
  readonly clientCa?: string | Uint8Array;
}

/** Options of {@link startGrpcServer}. */
export interface GrpcServerOptions {
  /** Address to bind. @default "0.0.0.0" */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 15010 */
  readonly port?: number;
  /** Serve TLS (and mutual TLS with `clientCa`); plain text when absent. */
  readonly tls?: XdsTlsOptions;
  readonly cache: SnapshotCache;
  readonly status: XdsStatus;
  readonly log: XdsLog;
}

/** A running server. */
export interface RunningGrpcServer {
  readonly port: number;
  /** Stops accepting, ends open streams and waits for the server to stop. */
  close(): Promise<void>;
}

type Duplex<Req> = grpc.ServerDuplexStream<Req | InvalidMessage, unknown>;

function bytes(v: string | Uint8Array): Buffer {
  return typeof v === "string" ? Buffer.from(v) : Buffer.from(v);
}

/** Server credentials for `tls`, insecure without. */
export function serverCredentials(tls: XdsTlsOptions | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ? bytes(tls.clientCa) : null,
    [{ private_key: bytes(tls.key), cert_chain: bytes(tls.cert) }],
    tls.clientCa !== undefined,
  );
}

function runStream<Req>(
  call: Duplex<Req>,
  session: { onRequest(r: Req | InvalidMessage): void; close(): void; readonly node: string },
  log: XdsLog,
  streams: Set<Duplex<unknown>>,
): void {
  streams.add(call as Duplex<unknown>);
  const end = () => {
    streams.delete(call as Duplex<unknown>);
    session.close();
  };
  call.on("data", (request: Req | InvalidMessage) => {
    try {
      session.onRequest(request);
    } catch (e) {
      // A defect in a session: log it and keep the stream; the next request may succeed.
      log(
        "warn",
        `Cannot handle a request of node "${session.node}": ${e instanceof Error ? e.stack : e}`,
      );
    }
  });
  call.on("end", () => {
    end();
    call.end();
  });
  call.on("error", (e: Error) => {
    log("info", `Stream of node "${session.node}" ended: ${e.message}`);
    end();
  });
  call.on("cancelled", end);
}

function handlers(options: GrpcServerOptions, streams: Set<Duplex<unknown>>) {
  const { cache, status, log } = options;
  const deps = (call: grpc.ServerDuplexStream<unknown, unknown>, onlyType?: string) => ({
    cache,
    status,
    log,
    peer: call.getPeer(),
    ...(onlyType ? { onlyType } : {}),
  });
  const sotw = (onlyType?: string) => (call: Duplex<DiscoveryRequest>) => {
    const session = new SotwSession(deps(call, onlyType), (r) => call.write(r));
    runStream(call, session, log, streams);
  };
  const delta = (onlyType?: string) => (call: Duplex<DeltaDiscoveryRequest>) => {
    const session = new DeltaSession(deps(call, onlyType), (r) => call.write(r));
    runStream(call, session, log, streams);
  };
  return { sotw, delta };
}

function fetchRoutes(
  cache: SnapshotCache,
): grpc.handleUnaryCall<DiscoveryRequest | InvalidMessage, unknown> {
  return (call, callback) => {
    const request = call.request;
    if ("invalid" in request) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: request.invalid });
      return;
    }
    const all = cache.get(request.node?.id ?? "").types.get(ROUTE_CONFIGURATION_TYPE_URL)
      ?.resources;
    const entries = (request.resource_names ?? []).flatMap((n) =>
      all?.get(n) ?? []
    ) as ResourceEntry[];
    const version = entriesVersion(entries);
    callback(null, {
      version_info: version,
      resources: entries.map((e) => e.resource),
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      nonce: "",
    });
  };
}

/**
 * Starts the server and resolves once it listens; rejects when it cannot bind (or the TLS
 * material is unusable).
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({ "grpc.max_concurrent_streams": 1_000_000 });
  const streams = new Set<Duplex<unknown>>();
  const { sotw, delta } = handlers(options, streams);
  server.addService(adsServiceDefinition(), {
    StreamAggregatedResources: sotw(),
    DeltaAggregatedResources: delta(),
  });
  server.addService(rdsServiceDefinition(), {
    StreamRoutes: sotw(ROUTE_CONFIGURATION_TYPE_URL),
    DeltaRoutes: delta(ROUTE_CONFIGURATION_TYPE_URL),
    FetchRoutes: fetchRoutes(options.cache),
  });
  // LDS, CDS and EDS on their own services too, for proxies configured without ADS.
  for (const [service, kind, typeUrl] of TYPE_SERVICES) {
    server.addService(typeServiceDefinition(service, kind), {
      [`Stream${kind}`]: sotw(typeUrl),
      [`Delta${kind}`]: delta(typeUrl),
    });
  }
  const address = `${options.host ?? "0.0.0.0"}:${options.port ?? 15010}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, serverCredentials(options.tls), (error, port) => {
      if (error) reject(error);
      else resolve(port);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const call of streams) call.end();
        server.tryShutdown(() => resolve());
      }),
  };
}
