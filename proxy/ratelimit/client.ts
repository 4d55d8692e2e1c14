/**
 * The global rate-limit filter's service client (spec §3.3, fixing §9.6): an asynchronous
 * `envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit` call over @grpc/grpc-js
 * with the filter's timeout as the call deadline. Endpoints of the service cluster are used
 * in turn; channels are kept open between calls (upstream opened one per request).
 *
 * @module
 */
import type * as grpc from "@grpc/grpc-js";
import type { ClusterModel, RateLimitRequest, RateLimitService } from "../config/model.ts";
import {
  clientConstructor,
  clusterTargets,
  insecure,
  methodDefinition,
  type Msg,
} from "../grpc/mod.ts";

const SERVICE = "envoy.service.ratelimit.v3.RateLimitService";

/**
 * A {@link RateLimitService} that owns gRPC channels: `connect` opens a cluster's channels
 * ahead of traffic (the filter's deadline is short, 20 ms by default, and should not pay for
 * a TCP and HTTP/2 handshake), `close` releases them.
 */
export type RateLimitClient = RateLimitService & {
  connect(cluster: string, timeoutMs: number): Promise<void>;
  close(): void;
};

type UnaryClient = grpc.Client & {
  ShouldRateLimit(
    req: Msg,
    opts: grpc.CallOptions,
    cb: (e: grpc.ServiceError | null, r?: Msg) => void,
  ): void;
};

let ctor: grpc.ServiceClientConstructor | undefined;

function constructor(): grpc.ServiceClientConstructor {
  return ctor ??= clientConstructor({
    ShouldRateLimit: methodDefinition(`/${SERVICE}/ShouldRateLimit`, {
      request: "envoy.service.ratelimit.v3.RateLimitRequest",
      response: "envoy.service.ratelimit.v3.RateLimitResponse",
    }),
  }, SERVICE);
}

/**
 * Creates the client for every cluster the filters may name. A call to an unknown cluster
 * or one without endpoints rejects (the filter then applies `failure_mode_deny`).
 */
export function createRateLimitClient(clusters: readonly ClusterModel[]): RateLimitClient {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const channels = new Map<string, UnaryClient[]>();
  const next = new Map<string, number>();
  const pick = (cluster: string): UnaryClient | undefined => {
    let list = channels.get(cluster);
    if (!list) {
      const model = byName.get(cluster);
      const Ctor = constructor();
      list = model
        ? clusterTargets(model).map((t) => new Ctor(t, insecure()) as unknown as UnaryClient)
        : [];
      channels.set(cluster, list);
    }
    if (list.length === 0) return undefined;
    const i = next.get(cluster) ?? 0;
    next.set(cluster, (i + 1) % list.length);
    return list[i];
  };
  const call = (req: RateLimitRequest): Promise<"ok" | "over_limit"> =>
    new Promise((resolve, reject) => {
      const client = pick(req.cluster);
      if (!client) {
        reject(
          new Error(
            `Cannot call the rate limit service: cluster "${req.cluster}" has no endpoints`,
          ),
        );
        return;
      }
      const message = {
        domain: req.domain,
        descriptors: req.descriptors.map((d) => ({
          entries: d.entries.map((e) => ({ key: e.key, value: e.value })),
        })),
      };
      client.ShouldRateLimit(message, { deadline: Date.now() + req.timeoutMs }, (err, res) => {
        if (err) reject(new Error(`Cannot check the rate limit: ${err.message}`));
        else resolve(res?.overall_code === "OVER_LIMIT" ? "over_limit" : "ok");
      });
    });
  const connect = async (cluster: string, timeoutMs: number) => {
    pick(cluster);
    const list = channels.get(cluster) ?? [];
    await Promise.all(
      list.map((c) =>
        new Promise<void>((resolve, reject) =>
          c.waitForReady(Date.now() + timeoutMs, (e) => (e
            ? reject(
              new Error(`Cannot connect to the rate limit service "${cluster}": ${e.message}`),
            )
            : resolve()))
        )
      ),
    );
  };
  return Object.assign(call, {
    connect,
    close: () => {
      for (const list of channels.values()) for (const c of list) c.close();
      channels.clear();
    },
  });
}
