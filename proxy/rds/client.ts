/**
 * The RDS client (control-plane spec §5, data-plane spec §2.3): a state-of-the-world xDS
 * subscription by route-config name, over `RouteDiscoveryService/StreamRoutes` or the
 * bootstrap's ADS stream. Each accepted table is swapped into the running proxy (the next
 * request on every connection uses it; no connection is closed); a bad update is NACKed with
 * the error and the last good table stays. A broken stream reconnects with jittered
 * exponential backoff (Effect `Schedule`), resubscribing with the last accepted version.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { Effect, Fiber, Schedule } from "effect";
import { lookupType } from "../../proto/mod.ts";
import type { DynamicRouteStatus } from "../admin/mod.ts";
import type { CompiledBootstrap, ConfigSourceModel, GrpcSourceModel } from "../bootstrap/mod.ts";
import type { ClusterModel, ProxyControl, StatsSink } from "../config/model.ts";
import {
  clientConstructor,
  clusterTargets,
  insecure,
  methodDefinition,
  type Msg,
  toStruct,
} from "../grpc/mod.ts";
import { type Applied, RdsState } from "./state.ts";

/** Resource type of RDS: Envoy's HTTP route configuration (control-plane spec §5). */
export const ROUTE_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

const RDS = "envoy.service.route.v3.RouteDiscoveryService";
const ADS = "envoy.service.discovery.v3.AggregatedDiscoveryService";

/** Options of {@linkcode startRds}. */
export interface RdsOptions {
  /** Where tables go and stats are counted. */
  readonly proxy: ProxyControl & { readonly stats: StatsSink };
  /** Logs NACKs and reconnects. @default console.error */
  readonly log?: (line: string) => void;
  /** First reconnect delay (ms); doubles up to `maxBackoffMs`, jittered. @default 500 */
  readonly baseBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
}

/** The running RDS subscriptions of a bootstrap. */
export interface RdsClients {
  /** Per subscribed name: version, update time, ACK/NACK state, last error. */
  status(): DynamicRouteStatus[];
  /** Ends every stream; resolves once they are closed. */
  close(): Promise<void>;
}

type Stream = grpc.ClientDuplexStream<Msg, Msg>;
type StreamClient = grpc.Client & Record<string, (md?: grpc.Metadata) => Stream>;

function makeClient(ads: boolean, target: string): StreamClient {
  const service = ads ? ADS : RDS;
  const method = ads ? "StreamAggregatedResources" : "StreamRoutes";
  const Ctor = clientConstructor({
    [method]: methodDefinition(`/${service}/${method}`, {
      request: "envoy.service.discovery.v3.DiscoveryRequest",
      response: "envoy.service.discovery.v3.DiscoveryResponse",
      stream: true,
    }),
  }, service);
  return new Ctor(target, insecure()) as unknown as StreamClient;
}

class StreamError extends Error {}

/** One gRPC stream carrying a set of route names; reconnects forever until closed. */
class Subscription {
  readonly #state: RdsState;
  readonly #source: GrpcSourceModel;
  readonly #ads: boolean;
  readonly #cluster: ClusterModel | undefined;
  readonly #node: Msg;
  readonly #log: (line: string) => void;
  #attempt = 0;

  constructor(
    state: RdsState,
    source: GrpcSourceModel,
    ads: boolean,
    c: CompiledBootstrap,
    log: (l: string) => void,
  ) {
    this.#state = state;
    this.#source = source;
    this.#ads = ads;
    this.#cluster = c.model.clusters.find((x) => x.name === source.cluster);
    this.#node = {
      id: c.node.id,
      cluster: c.node.cluster,
      metadata: toStruct({ ...c.node.metadata }),
    };
    this.#log = log;
  }

  /** One stream: resolves when it ends after a response, fails when it broke before one. */
  once(): Effect.Effect<void, StreamError> {
    return Effect.callback<void, StreamError>((resume) => {
      const targets = this.#cluster ? clusterTargets(this.#cluster) : [];
      if (targets.length === 0) {
        resume(Effect.fail(new StreamError(`cluster "${this.#source.cluster}" has no endpoints`)));
        return;
      }
      const client = makeClient(this.#ads, targets[this.#attempt++ % targets.length]);
      const call = this.#open(client);
      let received = false;
      let done = false;
      const finish = (why: string) => {
        if (done) return;
        done = true;
        client.close();
        if (received) resume(Effect.void);
        else resume(Effect.fail(new StreamError(why)));
      };
      call.on("data", (res: Msg) => {
        received = true;
        const reply = this.#handle(res);
        if (reply) call.write(reply);
      });
      call.on("error", (e: Error) => finish(e.message));
      call.on("end", () => finish("the server ended the stream"));
      call.write(this.#request(true));
      return Effect.sync(() => {
        done = true;
        call.cancel();
        client.close();
      });
    });
  }

  #open(client: StreamClient): Stream {
    const method = this.#ads ? "StreamAggregatedResources" : "StreamRoutes";
    const md = new grpc.Metadata();
    for (const { key, value } of this.#source.initialMetadata) md.add(key, value);
    return client[method](md);
  }

  #request(first: boolean, extra: Msg = {}): Msg {
    return {
      ...(first ? { node: this.#node } : {}),
      version_info: this.#state.acceptedVersion(),
      resource_names: this.#state.names(),
      type_url: ROUTE_TYPE_URL,
      response_nonce: "",
      ...extra,
    };
  }

  #handle(res: Msg): Msg | undefined {
    if (res.type_url !== ROUTE_TYPE_URL) return undefined;
    const version = String(res.version_info ?? "");
    const nonce = String(res.nonce ?? "");
    const type = lookupType("envoy.config.route.v3.RouteConfiguration")!;
    const resources = (res.resources as { type_url?: string; value?: Uint8Array }[] | undefined) ??
      [];
    const decoded: Applied[] = [];
    const errors: string[] = [];
    for (const r of resources) {
      try {
        const bytes = r.value ?? new Uint8Array();
        const msg = type.toObject(type.decode(bytes), {
          enums: String,
          longs: Number,
          defaults: false,
        });
        decoded.push({ bytes, message: msg });
      } catch (e) {
        errors.push(`Cannot decode a RouteConfiguration: ${(e as Error).message}`);
      }
    }
    errors.push(...this.#state.apply(decoded, version));
    if (errors.length === 0) {
      return this.#request(false, { version_info: version, response_nonce: nonce });
    }
    const message = errors.join("; ");
    this.#state.rejected(version, message);
    this.#log(`RDS update ${JSON.stringify(version)} rejected (NACK): ${message}`);
    return this.#request(false, {
      version_info: this.#state.acceptedVersion(),
      response_nonce: nonce,
      error_detail: { code: 3, message },
    });
  }

  /** Reconnects forever with backoff; the schedule restarts after a stream that worked. */
  run(base: number, max: number): Effect.Effect<never> {
    const schedule = Schedule.jittered(
      Schedule.min([Schedule.exponential(`${base} millis`), Schedule.spaced(`${max} millis`)]),
    );
    const logged = this.once().pipe(
      Effect.tapError((e) =>
        Effect.sync(() =>
          this.#log(`RDS stream to "${this.#source.cluster}" failed: ${e.message}; retrying`)
        )
      ),
      Effect.retry(schedule),
      Effect.orDie,
      Effect.andThen(Effect.sleep(`${base} millis`)),
    );
    return Effect.forever(logged);
  }
}

function sourceOf(
  c: CompiledBootstrap,
  s: ConfigSourceModel,
): { source: GrpcSourceModel; ads: boolean } | undefined {
  if (s.kind === "ads") return c.ads ? { source: c.ads, ads: true } : undefined;
  return { source: s, ads: false };
}

/** Starts one stream per config source of the bootstrap's RDS subscriptions. */
export function startRds(c: CompiledBootstrap, options: RdsOptions): RdsClients {
  const log = options.log ?? ((l: string) => console.error(l));
  const groups = new Map<string, { source: GrpcSourceModel; ads: boolean; state: RdsState }>();
  for (const sub of c.rds) {
    const s = sourceOf(c, sub.source);
    if (!s) continue;
    const key = JSON.stringify([s.ads, s.source]);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { ...s, state: new RdsState(options.proxy, c.model.listeners) });
    g.state.add(sub.routeConfigName, sub.listeners);
  }
  const fibers = [...groups.values()].map((g) => {
    const sub = new Subscription(g.state, g.source, g.ads, c, log);
    return Effect.runFork(sub.run(options.baseBackoffMs ?? 500, options.maxBackoffMs ?? 30_000));
  });
  return {
    status: () => [...groups.values()].flatMap((g) => g.state.status()),
    close: () => Effect.runPromise(Effect.forEach(fibers, Fiber.interrupt, { discard: true })),
  };
}
