/**
 * Test peer: a @grpc/grpc-js `RateLimitService` server answering from a callback, recording
 * every request.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { lookupType } from "../../proto/mod.ts";
import { methodDefinition, type Msg } from "../grpc/mod.ts";

/** A running test rate-limit server. */
export interface TestRateLimitServer {
  readonly port: number;
  readonly requests: Msg[];
  close(): Promise<void>;
}

/** Starts a server; `decide` returns the overall code, or `"hang"` to never answer. */
export function startRateLimitServer(
  decide: (req: Msg) => "OK" | "OVER_LIMIT" | "hang",
): Promise<TestRateLimitServer> {
  const server = new grpc.Server();
  const requests: Msg[] = [];
  const hung: (() => void)[] = [];
  const def = methodDefinition("/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit", {
    request: "envoy.service.ratelimit.v3.RateLimitRequest",
    response: "envoy.service.ratelimit.v3.RateLimitResponse",
  });
  server.addService({ ShouldRateLimit: def } as grpc.ServiceDefinition, {
    ShouldRateLimit: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      requests.push(call.request);
      const d = decide(call.request);
      if (d === "hang") hung.push(() => cb({ code: grpc.status.CANCELLED }));
      else cb(null, { overall_code: d });
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) return reject(err);
      resolve({
        port,
        requests,
        close: () => {
          hung.forEach((f) => f());
          server.forceShutdown();
          return Promise.resolve();
        },
      });
    });
  });
}

/**
 * The same service answered by a plain `node:http2` server speaking gRPC's framing (one
 * length-prefixed message each way, `grpc-status` trailer). Under Deno a grpc-js *server*
 * adds about 25 ms to every unary call, more than the filter's 20 ms default deadline; a
 * real rate-limit service (envoyproxy/ratelimit, Go) answers in about a millisecond, as
 * this one does.
 */
export function startHttp2RateLimitServer(
  decide: (req: Msg) => "OK" | "OVER_LIMIT" | "UNAVAILABLE",
): Promise<TestRateLimitServer> {
  const reqType = lookupType("envoy.service.ratelimit.v3.RateLimitRequest")!;
  const resType = lookupType("envoy.service.ratelimit.v3.RateLimitResponse")!;
  const requests: Msg[] = [];
  const server = http2.createServer();
  server.on("stream", (stream) => {
    const chunks: Uint8Array[] = [];
    stream.on("data", (c: Uint8Array) => chunks.push(c));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      const req = reqType.toObject(reqType.decode(body.subarray(5)), {
        enums: String,
        longs: Number,
      });
      requests.push(req);
      const s = stream as unknown as ServerStream;
      if (s.destroyed) return; // the client gave up (deadline)
      const code = decide(req);
      if (code === "UNAVAILABLE") {
        s.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": 14 }, {
          endStream: true,
        });
        return;
      }
      const res = resType.encode(resType.fromObject({ overall_code: code })).finish();
      const frame = Buffer.alloc(5 + res.length);
      frame.writeUInt32BE(res.length, 1);
      frame.set(res, 5);
      s.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "0" }));
      s.end(frame);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as { port: number }).port,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

interface ServerStream {
  readonly destroyed: boolean;
  respond(
    headers: Record<string, string | number>,
    options: { waitForTrailers?: boolean; endStream?: boolean },
  ): void;
  on(event: "wantTrailers", cb: () => void): void;
  sendTrailers(headers: Record<string, string>): void;
  end(data: Uint8Array): void;
}
