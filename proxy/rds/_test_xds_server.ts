/**
 * Test peer: a small @grpc/grpc-js xDS server speaking state-of-the-world RDS
 * (`RouteDiscoveryService/StreamRoutes`), EDS (`EndpointDiscoveryService/StreamEndpoints`)
 * and ADS, that records every DiscoveryRequest and pushes the resources a test gives it.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { lookupType } from "../../proto/mod.ts";
import { methodDefinition, type Msg } from "../grpc/mod.ts";
import { ROUTE_TYPE_URL } from "./client.ts";
import { ENDPOINTS_TYPE_URL } from "./eds_state.ts";

/** A running test xDS server. */
export interface TestXdsServer {
  readonly port: number;
  /** Every request received, in order, with the stream number it came on. */
  readonly requests: (Msg & { stream: number })[];
  /** Sends a response with `routes` (Envoy RouteConfigurations, snake_case) on open streams. */
  push(version: string, routes: readonly Msg[]): void;
  /** Sends a response of EDS `ClusterLoadAssignment`s (snake_case) on open streams. */
  pushEndpoints(version: string, assignments: readonly Msg[]): void;
  /** Ends every open stream (the client must reconnect). */
  dropStreams(): void;
  close(): Promise<void>;
}

const DISCOVERY = {
  request: "envoy.service.discovery.v3.DiscoveryRequest",
  response: "envoy.service.discovery.v3.DiscoveryResponse",
  stream: true,
};

function resource(typeUrl: string, m: Msg): Msg {
  const type = lookupType(typeUrl)!;
  const err = type.verify(m);
  if (err) throw new Error(`Bad test resource: ${err}`);
  return { type_url: typeUrl, value: type.encode(type.fromObject(m)).finish() };
}

/** Encodes an Envoy RouteConfiguration as a DiscoveryResponse resource. */
export function routeResource(rc: Msg): Msg {
  return resource(ROUTE_TYPE_URL, rc);
}

const SERVICES: readonly [string, string][] = [
  ["envoy.service.route.v3.RouteDiscoveryService", "StreamRoutes"],
  ["envoy.service.endpoint.v3.EndpointDiscoveryService", "StreamEndpoints"],
  ["envoy.service.discovery.v3.AggregatedDiscoveryService", "StreamAggregatedResources"],
];

/** Starts the server on a free port (or `port`). */
export function startXdsServer(port = 0): Promise<TestXdsServer> {
  const server = new grpc.Server();
  const requests: (Msg & { stream: number })[] = [];
  const streams = new Set<grpc.ServerDuplexStream<Msg, Msg>>();
  const last = new Map<string, Msg>();
  let nonce = 0;
  let streamCount = 0;
  const handler = (call: grpc.ServerDuplexStream<Msg, Msg>) => {
    const stream = ++streamCount;
    streams.add(call);
    call.on("data", (req: Msg) => {
      requests.push({ ...req, stream });
      const latest = last.get(String(req.type_url));
      if ((req.response_nonce ?? "") === "" && latest) call.write(latest);
    });
    call.on("end", () => (streams.delete(call), call.end()));
    call.on("error", () => streams.delete(call));
  };
  for (const [service, method] of SERVICES) {
    const def = { [method]: methodDefinition(`/${service}/${method}`, DISCOVERY) };
    server.addService(def as grpc.ServiceDefinition, { [method]: handler });
  }
  const send = (typeUrl: string, version: string, resources: Msg[]) => {
    const res = { version_info: version, type_url: typeUrl, nonce: String(++nonce), resources };
    last.set(typeUrl, res);
    for (const s of streams) s.write(res);
  };
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      resolve({
        port: bound,
        requests,
        push: (version, routes) => send(ROUTE_TYPE_URL, version, routes.map(routeResource)),
        pushEndpoints: (version, assignments) =>
          send(
            ENDPOINTS_TYPE_URL,
            version,
            assignments.map((a) => resource(ENDPOINTS_TYPE_URL, a)),
          ),
        dropStreams() {
          for (const s of streams) s.end();
          streams.clear();
        },
        close: () => {
          for (const s of streams) s.destroy();
          server.forceShutdown();
          return Promise.resolve();
        },
      });
    });
  });
}
