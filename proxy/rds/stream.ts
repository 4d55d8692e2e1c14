/**
 * One xDS stream to one config source, state of the world or delta, carrying any of the
 * four resource types (one type on LDS/CDS/RDS/EDS services, all of them on ADS). Each type
 * is a {@link Watch}; a watch whose names change (a new listener needs its routes, a new
 * cluster its endpoints) is resubscribed on the open stream. A response is ACKed once
 * applied, or NACKed with the errors (the watch keeps its last good resources). A broken
 * stream reconnects with jittered exponential backoff, resubscribing with the accepted
 * versions (SotW `version_info`, delta `initial_resource_versions`).
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { Effect, Schedule } from "effect";
import { lookupType } from "../../proto/mod.ts";
import type { CompiledBootstrap, GrpcSourceModel } from "../bootstrap/mod.ts";
import type { ClusterModel } from "../config/model.ts";
import {
  clientConstructor,
  clusterTargets,
  insecure,
  methodDefinition,
  type Msg,
  toStruct,
} from "../grpc/mod.ts";
import type { Applied, Watch } from "./state.ts";

/** Services by stream kind: full name, SotW method, delta method. */
const SERVICES = {
  lds: ["envoy.service.listener.v3.ListenerDiscoveryService", "StreamListeners", "DeltaListeners"],
  cds: ["envoy.service.cluster.v3.ClusterDiscoveryService", "StreamClusters", "DeltaClusters"],
  rds: ["envoy.service.route.v3.RouteDiscoveryService", "StreamRoutes", "DeltaRoutes"],
  eds: ["envoy.service.endpoint.v3.EndpointDiscoveryService", "StreamEndpoints", "DeltaEndpoints"],
  ads: [
    "envoy.service.discovery.v3.AggregatedDiscoveryService",
    "StreamAggregatedResources",
    "DeltaAggregatedResources",
  ],
} as const;

/** Which service a stream talks to. */
export type StreamKind = keyof typeof SERVICES;

type Call = grpc.ClientDuplexStream<Msg, Msg>;
type StreamClient = grpc.Client & Record<string, (md?: grpc.Metadata) => Call>;

function makeClient(kind: StreamKind, delta: boolean, target: string): StreamClient {
  const [service, sotw, deltaMethod] = SERVICES[kind];
  const method = delta ? deltaMethod : sotw;
  const prefix = delta
    ? "envoy.service.discovery.v3.DeltaDiscovery"
    : "envoy.service.discovery.v3.Discovery";
  const Ctor = clientConstructor({
    [method]: methodDefinition(`/${service}/${method}`, {
      request: `${prefix}Request`,
      response: `${prefix}Response`,
      stream: true,
    }),
  }, service);
  return new Ctor(target, insecure()) as unknown as StreamClient;
}

class StreamError extends Error {}

interface TypeState {
  /** Names last sent (delta: subscribed). */
  sent: ReadonlySet<string>;
  /** Last nonce received (SotW requests carry it). */
  nonce: string;
}

/** See the module doc. */
export class XdsStream {
  readonly #watches = new Map<string, Watch>();
  readonly #source: GrpcSourceModel;
  readonly #kind: StreamKind;
  readonly #cluster: ClusterModel | undefined;
  readonly #node: Msg;
  readonly #log: (line: string) => void;
  #attempt = 0;
  #call: Call | undefined;
  #types = new Map<string, TypeState>();
  #first = true;

  constructor(
    source: GrpcSourceModel,
    kind: StreamKind,
    c: CompiledBootstrap,
    log: (l: string) => void,
  ) {
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

  get delta(): boolean {
    return this.#source.delta === true;
  }

  /** Called once, when a watch first has something to subscribe: start {@link run}. */
  onStart?: () => void;
  #started = false;

  /** Adds a watch; its name changes are sent on the open stream. */
  add(w: Watch): void {
    this.#watches.set(w.typeUrl, w);
    w.onNamesChanged = () => {
      this.#start();
      this.#resubscribe(w);
    };
    if (w.wildcard || w.names().length > 0) w.onNamesChanged();
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.onStart?.();
  }

  /** One stream: resolves when it ends after a response, fails when it broke before one. */
  once(): Effect.Effect<void, StreamError> {
    return Effect.callback<void, StreamError>((resume) => {
      const targets = this.#cluster ? clusterTargets(this.#cluster) : [];
      if (targets.length === 0) {
        resume(Effect.fail(new StreamError(`cluster "${this.#source.cluster}" has no endpoints`)));
        return;
      }
      const client = makeClient(this.#kind, this.delta, targets[this.#attempt++ % targets.length]);
      const call = this.#open(client);
      this.#call = call;
      this.#types = new Map();
      this.#first = true;
      let received = false;
      let done = false;
      const finish = (why: string) => {
        if (done) return;
        done = true;
        if (this.#call === call) this.#call = undefined;
        client.close();
        if (received) resume(Effect.void);
        else resume(Effect.fail(new StreamError(why)));
      };
      call.on("data", (res: Msg) => {
        received = true;
        const reply = this.delta ? this.#handleDelta(res) : this.#handleSotw(res);
        if (reply) call.write(reply);
      });
      call.on("error", (e: Error) => finish(e.message));
      call.on("end", () => finish("the server ended the stream"));
      for (const w of this.#watches.values()) this.#subscribe(w);
      return Effect.sync(() => {
        done = true;
        if (this.#call === call) this.#call = undefined;
        call.cancel();
        client.close();
      });
    });
  }

  #open(client: StreamClient): Call {
    const [, sotw, delta] = SERVICES[this.#kind];
    const md = new grpc.Metadata();
    for (const { key, value } of this.#source.initialMetadata) md.add(key, value);
    return client[this.delta ? delta : sotw](md);
  }

  #node1(): Msg {
    if (!this.#first) return {};
    this.#first = false;
    return { node: this.#node };
  }

  /** The first request of a type on this stream. */
  #subscribe(w: Watch): void {
    const names = w.names();
    if (!w.wildcard && names.length === 0) return;
    const call = this.#call;
    if (!call) return;
    this.#types.set(w.typeUrl, { sent: new Set(names), nonce: "" });
    if (this.delta) {
      call.write({
        ...this.#node1(),
        type_url: w.typeUrl,
        resource_names_subscribe: names,
        initial_resource_versions: Object.fromEntries(w.versions()),
      });
    } else {
      call.write({
        ...this.#node1(),
        version_info: w.acceptedVersion(),
        resource_names: names,
        type_url: w.typeUrl,
        response_nonce: "",
      });
    }
  }

  #resubscribe(w: Watch): void {
    const state = this.#types.get(w.typeUrl);
    if (!state) return this.#subscribe(w);
    const call = this.#call;
    if (!call) return;
    const names = w.names();
    if (this.delta) {
      const now = new Set(names);
      const subscribe = names.filter((n) => !state.sent.has(n));
      const unsubscribe = [...state.sent].filter((n) => !now.has(n));
      state.sent = now;
      if (subscribe.length + unsubscribe.length === 0) return;
      call.write({
        type_url: w.typeUrl,
        resource_names_subscribe: subscribe,
        resource_names_unsubscribe: unsubscribe,
      });
      return;
    }
    if (names.length === state.sent.size && names.every((n) => state.sent.has(n))) return;
    state.sent = new Set(names);
    call.write({
      version_info: w.acceptedVersion(),
      resource_names: names,
      type_url: w.typeUrl,
      response_nonce: state.nonce,
    });
  }

  #decode(w: Watch, list: { name?: string; version?: string; value?: Uint8Array }[]) {
    const type = lookupType(w.messageType)!;
    const decoded: Applied[] = [];
    const errors: string[] = [];
    for (const r of list) {
      try {
        const bytes = r.value ?? new Uint8Array();
        const message = type.toObject(type.decode(bytes), {
          enums: String,
          longs: Number,
          defaults: false,
        });
        decoded.push({
          bytes,
          message,
          ...(r.name !== undefined ? { name: r.name, version: r.version ?? "" } : {}),
        });
      } catch (e) {
        errors.push(`Cannot decode a ${w.messageType}: ${(e as Error).message}`);
      }
    }
    return { decoded, errors };
  }

  #rejected(w: Watch, version: string, errors: string[]): { code: number; message: string } {
    const message = errors.join("; ");
    w.rejected(version, message);
    this.#log(`${w.label} update ${JSON.stringify(version)} rejected (NACK): ${message}`);
    return { code: 3, message };
  }

  #handleSotw(res: Msg): Msg | undefined {
    const w = this.#watches.get(String(res.type_url ?? ""));
    if (!w) return undefined;
    const version = String(res.version_info ?? "");
    const nonce = String(res.nonce ?? "");
    const state = this.#types.get(w.typeUrl);
    if (state) state.nonce = nonce;
    const list = (res.resources as { type_url?: string; value?: Uint8Array }[] | undefined) ?? [];
    const { decoded, errors } = this.#decode(w, list);
    errors.push(...w.apply(decoded, version));
    const base = { type_url: w.typeUrl, resource_names: [...(state?.sent ?? w.names())] };
    if (errors.length === 0) return { ...base, version_info: version, response_nonce: nonce };
    const error_detail = this.#rejected(w, version, errors);
    return { ...base, version_info: w.acceptedVersion(), response_nonce: nonce, error_detail };
  }

  #handleDelta(res: Msg): Msg | undefined {
    const w = this.#watches.get(String(res.type_url ?? ""));
    if (!w) return undefined;
    const version = String(res.system_version_info ?? "");
    const nonce = String(res.nonce ?? "");
    const list = ((res.resources as Msg[] | undefined) ?? []).map((r) => ({
      name: String(r.name ?? ""),
      version: String(r.version ?? ""),
      value: (r.resource as { value?: Uint8Array } | undefined)?.value,
    }));
    const { decoded, errors } = this.#decode(w, list);
    const removed = ((res.removed_resources as string[] | undefined) ?? []).map(String);
    errors.push(...w.apply(decoded, version, removed));
    if (errors.length === 0) return { type_url: w.typeUrl, response_nonce: nonce };
    return {
      type_url: w.typeUrl,
      response_nonce: nonce,
      error_detail: this.#rejected(w, version, errors),
    };
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
