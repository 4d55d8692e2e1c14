/**
 * A minimal xDS client for tests, written with @grpc/grpc-js over the same method definitions
 * the server uses: SotW and Delta streams on ADS or RDS whose responses are queued and read in
 * order, so a test can assert exactly which pushes arrived.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import {
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  rdsServiceDefinition,
} from "../operator/xds/_wire.ts";

/** A queue of stream messages read one at a time. */
export class MessageQueue<T> {
  readonly #items: T[] = [];
  readonly #waiters: { resolve: (v: T) => void; reject: (e: Error) => void }[] = [];
  #error?: Error;

  push(item: T): void {
    const w = this.#waiters.shift();
    if (w) w.resolve(item);
    else this.#items.push(item);
  }

  fail(error: Error): void {
    this.#error = error;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  /** The next message (waits for it). */
  next(): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Messages received and not read yet. */
  get pending(): number {
    return this.#items.length;
  }
}

type Stream<Req> = grpc.ClientDuplexStream<Req, unknown>;

/** One open xDS stream. */
export class XdsTestStream<Req, Res> {
  readonly responses = new MessageQueue<Res>();
  /** Resolves with the status the stream ended with. */
  readonly ended: Promise<grpc.StatusObject>;
  readonly #call: Stream<Req>;

  constructor(call: Stream<Req>) {
    this.#call = call;
    call.on("data", (r: Res) => this.responses.push(r));
    call.on("error", (e: Error) => this.responses.fail(e));
    this.ended = new Promise((resolve) => call.on("status", resolve));
  }

  send(request: Req): void {
    this.#call.write(request);
  }

  /** Sends `request` and waits for the next response. */
  async exchange(request: Req): Promise<Res> {
    this.send(request);
    return await this.responses.next();
  }

  close(): void {
    this.#call.end();
  }
}

type GenericClient = grpc.Client & Record<string, (...a: unknown[]) => Stream<unknown>>;

/** Options of {@link XdsTestClient}. */
export interface XdsTestClientOptions {
  readonly credentials?: grpc.ChannelCredentials;
  /** TLS server name to check. */
  readonly serverName?: string;
}

/** A client of the ADS and RDS services at `address`. */
export class XdsTestClient {
  readonly #ads: GenericClient;
  readonly #rds: GenericClient;

  constructor(address: string, options: XdsTestClientOptions = {}) {
    const creds = options.credentials ?? grpc.credentials.createInsecure();
    const channel = options.serverName
      ? { "grpc.ssl_target_name_override": options.serverName }
      : {};
    const Ads = grpc.makeGenericClientConstructor(adsServiceDefinition(), "Ads");
    const Rds = grpc.makeGenericClientConstructor(rdsServiceDefinition(), "Rds");
    this.#ads = new Ads(address, creds, channel) as GenericClient;
    this.#rds = new Rds(address, creds, channel) as GenericClient;
  }

  /** A SotW ADS stream. */
  sotw(): XdsTestStream<DiscoveryRequest, DiscoveryResponse> {
    return new XdsTestStream(this.#ads.StreamAggregatedResources() as Stream<DiscoveryRequest>);
  }

  /** A Delta ADS stream. */
  delta(): XdsTestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    return new XdsTestStream(this.#ads.DeltaAggregatedResources() as Stream<DeltaDiscoveryRequest>);
  }

  /** A SotW RDS stream (`StreamRoutes`). */
  routes(): XdsTestStream<DiscoveryRequest, DiscoveryResponse> {
    return new XdsTestStream(this.#rds.StreamRoutes() as Stream<DiscoveryRequest>);
  }

  /** A Delta RDS stream (`DeltaRoutes`). */
  deltaRoutes(): XdsTestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    return new XdsTestStream(this.#rds.DeltaRoutes() as Stream<DeltaDiscoveryRequest>);
  }

  close(): void {
    this.#ads.close();
    this.#rds.close();
  }
}
