/**
 * The RDS client (control-plane spec §5, data-plane spec §2.3): a state-of-the-world xDS
 * subscription by route-config name, over `RouteDiscoveryService/StreamRoutes` or the
 * bootstrap's ADS stream. Each accepted table is swapped into the running proxy (the next
 * request on every connection uses it; no connection is closed); a bad update is NACKed with
 * the error and the last good table stays. A broken stream reconnects with jittered
 * exponential backoff (Effect `Schedule`), resubscribing with the last accepted version.
 * EDS clusters subscribe on the same machinery (their own EDS stream, or the ADS stream that
 * also carries RDS) and get their endpoints replaced.
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
import { EdsState } from "./eds_state.ts";
import { type Applied, RdsState, type Watch } from "./state.ts";

/** Resource type of RDS: Envoy's HTTP route configuration (control-plane spec §5). */
export const ROUTE_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

/** Services by stream kind: their full name and streaming method. */
const SERVICES = {
  rds: ["envoy.service.route.v3.RouteDiscoveryService", "StreamRoutes"],
  eds: ["envoy.service.endpoint.v3.EndpointDiscoveryService", "StreamEndpoints"],
  ads: ["envoy.service.discovery.v3.AggregatedDiscoveryService", "StreamAggregatedResources"],
} as const;

type StreamKind = keyof typeof SERVICES;

/** Options of {@linkcode startXds}. */
export interface XdsOptions {
  /** Where tables go and stats are counted. */
  readonly proxy: ProxyControl & { readonly stats: StatsSink };
  /** Logs NACKs and reconnects. @default console.error */
  readonly log?: (line: string) => void;
  /** First reconnect delay (ms); doubles up to `maxBackoffMs`, jittered. @default 500 */
  readonly baseBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
}

/** The running RDS and EDS subscriptions of a bootstrap. */
export interface XdsClients {
  /** Per subscribed name: version, update time, ACK/NACK state, last error. */
  status(): DynamicRouteStatus[];
  /** Ends every stream; resolves once they are closed. */
  close(): Promise<void>;
}

type Stream = grpc.ClientDuplexStream<Msg, Msg>;
type StreamClient = grpc.Client & Record<string, (md?: grpc.Metadata) => Stream>;

function makeClient(kind: StreamKind, target: string): StreamClient {
  const [service, method] = SERVICES[kind];
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

/** One gRPC stream carrying route and endpoint names; reconnects forever until closed. */
class Subscription {
  readonly #watches: ReadonlyMap<string, Watch>;
  readonly #source: GrpcSourceModel;
  readonly #kind: StreamKind;
  readonly #cluster: ClusterModel | undefined;
  readonly #node: Msg;
  readonly #log: (line: string) => void;
  #attempt = 0;

  constructor(
    watches: readonly Watch[],
    source: GrpcSourceModel,
    kind: StreamKind,
    c: CompiledBootstrap,
    log: (l: string) => void,
  ) {
    this.#watches = new Map(watches.map((w) => [w.typeUrl, w]));
    this.#source = source;
    this.#kind = kind;
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
      const client = makeClient(this.#kind, targets[this.#attempt++ % targets.length]);
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
      let first = true;
      for (const w of this.#watches.values()) {
        if (w.names().length === 0) continue;
        call.write(this.#request(w, first));
        first = false;
      }
      return Effect.sync(() => {
        done = true;
        call.cancel();
        client.close();
      });
    });
  }

  #open(client: StreamClient): Stream {
    const method = SERVICES[this.#kind][1];
    const md = new grpc.Metadata();
    for (const { key, value } of this.#source.initialMetadata) md.add(key, value);
    return client[method](md);
  }

  #request(w: Watch, first: boolean, extra: Msg = {}): Msg {
    return {
      ...(first ? { node: this.#node } : {}),
      version_info: w.acceptedVersion(),
      resource_names: w.names(),
      type_url: w.typeUrl,
      response_nonce: "",
      ...extra,
    };
  }

  #handle(res: Msg): Msg | undefined {
    const w = this.#watches.get(String(res.type_url ?? ""));
    if (!w) return undefined;
    const version = String(res.version_info ?? "");
    const nonce = String(res.nonce ?? "");
    const type = lookupType(w.messageType)!;
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
        errors.push(`Cannot decode a ${w.messageType}: ${(e as Error).message}`);
      }
    }
    errors.push(...w.apply(decoded, version));
    if (errors.length === 0) {
      return this.#request(w, false, { version_info: version, response_nonce: nonce });
    }
    const message = errors.join("; ");
    w.rejected(version, message);
    const what = w.typeUrl === ROUTE_TYPE_URL ? "RDS" : "EDS";
    this.#log(`${what} update ${JSON.stringify(version)} rejected (NACK): ${message}`);
    return this.#request(w, false, {
      version_info: w.acceptedVersion(),
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
          this.#log(`xDS stream to "${this.#source.cluster}" failed: ${e.message}; retrying`)
        )
      ),
      Effect.retry(schedule),
      Effect.orDie,
      Effect.andThen(Effect.sleep(`${base} millis`)),
    );
    return Effect.forever(logged);
  }
}

function sourceOf(c: CompiledBootstrap, s: ConfigSourceModel, own: StreamKind) {
  if (s.kind === "ads") return c.ads ? { source: c.ads, kind: "ads" as StreamKind } : undefined;
  return { source: s, kind: own };
}

interface Group {
  source: GrpcSourceModel;
  kind: StreamKind;
  rds: RdsState;
  eds: EdsState;
}

/**
 * Starts one stream per config source of the bootstrap's RDS and EDS subscriptions (one
 * ADS stream carries both types).
 */
export function startXds(c: CompiledBootstrap, options: XdsOptions): XdsClients {
  const log = options.log ?? ((l: string) => console.error(l));
  const groups = new Map<string, Group>();
  const group = (s: { source: GrpcSourceModel; kind: StreamKind }) => {
    const key = JSON.stringify([s.kind, s.source]);
    let g = groups.get(key);
    if (!g) {
      g = {
        ...s,
        rds: new RdsState(options.proxy, c.model.listeners),
        eds: new EdsState(options.proxy),
      };
      groups.set(key, g);
    }
    return g;
  };
  for (const sub of c.rds) {
    const s = sourceOf(c, sub.source, "rds");
    if (s) group(s).rds.add(sub.routeConfigName, sub.listeners);
  }
  for (const e of c.eds) {
    const s = sourceOf(c, e.source, "eds");
    const cluster = c.model.clusters.find((x) => x.name === e.cluster);
    if (s && cluster) group(s).eds.add(e.serviceName, cluster);
  }
  const fibers = [...groups.values()].map((g) => {
    const sub = new Subscription([g.rds, g.eds], g.source, g.kind, c, log);
    return Effect.runFork(sub.run(options.baseBackoffMs ?? 500, options.maxBackoffMs ?? 30_000));
  });
  return {
    status: () => [...groups.values()].flatMap((g) => g.rds.status()),
    close: () => Effect.runPromise(Effect.forEach(fibers, Fiber.interrupt, { discard: true })),
  };
}
