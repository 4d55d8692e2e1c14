/**
 * Test peer: a small @grpc/grpc-js xDS server speaking state-of-the-world RDS
 * (`RouteDiscoveryService/StreamRoutes`) and ADS, that records every DiscoveryRequest and
 * pushes the route configurations a test gives it.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { lookupType } from "../../proto/mod.ts";
import { methodDefinition, type Msg } from "../grpc/mod.ts";
import { ROUTE_TYPE_URL } from "./client.ts";

/** A running test xDS server. */
export interface TestXdsServer {
  readonly port: number;
  /** Every request received, in order, with the stream number it came on. */
  readonly requests: (Msg & { stream: number })[];
  /** Sends a response with `routes` (Envoy RouteConfigurations, snake_case) on open streams. */
  push(version: string, routes: readonly Msg[]): void;
  /** Ends every open stream (the client must reconnect). */
  dropStreams(): void;
  close(): Promise<void>;
}

const DISCOVERY = {
  request: "envoy.service.discovery.v3.DiscoveryRequest",
  response: "envoy.service.discovery.v3.DiscoveryResponse",
  stream: true,
};

/** Encodes an Envoy RouteConfiguration as a DiscoveryResponse resource. */
export function routeResource(rc: Msg): Msg {
  const type = lookupType("envoy.config.route.v3.RouteConfiguration")!;
  const err = type.verify(rc);
  if (err) throw new Error(`Bad test RouteConfiguration: ${err}`);
  return { type_url: ROUTE_TYPE_URL, value: type.encode(type.fromObject(rc)).finish() };
}

/** Starts the server on a free port (or `port`). */
export function startXdsServer(port = 0): Promise<TestXdsServer> {
  const server = new grpc.Server();
  const requests: (Msg & { stream: number })[] = [];
  const streams = new Set<grpc.ServerDuplexStream<Msg, Msg>>();
  let last: Msg | undefined;
  let nonce = 0;
  let streamCount = 0;
  const handler = (call: grpc.ServerDuplexStream<Msg, Msg>) => {
    const stream = ++streamCount;
    streams.add(call);
    call.on("data", (req: Msg) => {
      requests.push({ ...req, stream });
      if (req.response_nonce === "" || req.response_nonce === undefined) {
        if (last) call.write(last);
      }
    });
    call.on("end", () => (streams.delete(call), call.end()));
    call.on("error", () => streams.delete(call));
  };
  server.addService(
    {
      StreamRoutes: methodDefinition(
        "/envoy.service.route.v3.RouteDiscoveryService/StreamRoutes",
        DISCOVERY,
      ),
    } as grpc.ServiceDefinition,
    { StreamRoutes: handler },
  );
  server.addService(
    {
      StreamAggregatedResources: methodDefinition(
        "/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources",
        DISCOVERY,
      ),
    } as grpc.ServiceDefinition,
    { StreamAggregatedResources: handler },
  );
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      resolve({
        port: bound,
        requests,
        push(version, routes) {
          last = {
            version_info: version,
            type_url: ROUTE_TYPE_URL,
            nonce: String(++nonce),
            resources: routes.map(routeResource),
          };
          for (const s of streams) s.write(last);
        },
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
