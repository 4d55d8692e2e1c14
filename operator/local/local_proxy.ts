/**
 * The proxy of `aeraki local`: our MetaProtocol data plane started once from a bootstrap
 * that holds only the xDS cluster; its listeners and clusters (LDS, CDS), routes (RDS) and
 * endpoints (EDS) all come over ADS from the in-process xDS server — the proxy is a full xDS
 * client of it. So no config change restarts the proxy: a new listener binds, a changed one
 * takes over the old one's socket (its connections keep serving), a changed cluster keeps
 * its in-flight requests.
 *
 * @module
 */
import { type CompiledBootstrap, loadBootstrapText } from "../../proxy/bootstrap/mod.ts";
import type { AccessLogCallback, ListenerModel, ProxyHandle } from "../../proxy/config/model.ts";
import { MemoryStats, startProxy } from "../../proxy/mod.ts";
import { startXds, type XdsClients } from "../../proxy/rds/mod.ts";

/** The xDS cluster's name in the bootstrap. */
export const LOCAL_XDS_CLUSTER = "aeraki-local-xds";

/** Options of {@link buildLocalBootstrap}. */
export interface LocalBootstrapOptions {
  /** Port of the xDS server on 127.0.0.1. */
  readonly xdsPort: number;
  /** The node id the proxy reports. @default "aeraki-local" */
  readonly nodeId?: string;
  /** Delta xDS (`AGGREGATED_DELTA_GRPC`) instead of state of the world. @default false */
  readonly delta?: boolean;
}

/** An Envoy v3 bootstrap (proto3 JSON): the xDS cluster, everything else over ADS. */
export function buildLocalBootstrap(options: LocalBootstrapOptions): Record<string, unknown> {
  const xds = {
    name: LOCAL_XDS_CLUSTER,
    type: "STATIC",
    connectTimeout: "1s",
    loadAssignment: {
      clusterName: LOCAL_XDS_CLUSTER,
      endpoints: [{
        lbEndpoints: [{
          endpoint: {
            address: { socketAddress: { address: "127.0.0.1", portValue: options.xdsPort } },
          },
        }],
      }],
    },
  };
  const ads = { ads: {}, resourceApiVersion: "V3" };
  return {
    node: { id: options.nodeId ?? "aeraki-local", cluster: "aeraki-local" },
    dynamicResources: {
      adsConfig: {
        apiType: options.delta ? "AGGREGATED_DELTA_GRPC" : "GRPC",
        transportApiVersion: "V3",
        grpcServices: [{ envoyGrpc: { clusterName: LOCAL_XDS_CLUSTER } }],
      },
      ldsConfig: ads,
      cdsConfig: ads,
    },
    staticResources: { clusters: [xds] },
  };
}

/** Options of {@link LocalProxy}. */
export interface LocalProxyOptions extends LocalBootstrapOptions {
  /** Lifecycle lines (NACKs, reconnects, warming). */
  readonly log: (line: string) => void;
  /** Called for every request the proxy answered, for the live view. Must not throw. */
  readonly onRequest?: AccessLogCallback;
  /** How long the final drain waits for in-flight requests (ms). @default 2000 */
  readonly drainTimeoutMs?: number;
  /** How long the first start waits for its listeners, routes and endpoints (ms). @default 5000 */
  readonly warmingTimeoutMs?: number;
}

interface Running {
  readonly proxy: ProxyHandle;
  readonly xds: XdsClients;
}

const LIVE_SINK = { name: "aeraki.local.live_view", config: null };

/** Passes on only the entries of the live-view sink (generated access logs are not written). */
function liveOnly(callback: AccessLogCallback): AccessLogCallback {
  return (listener, sink, entry) => {
    if (listener.accessLogs[sink] === LIVE_SINK) callback(listener, sink, entry);
  };
}

/** The proxy of `aeraki local`, started on the first {@link LocalProxy.apply}. */
export class LocalProxy {
  readonly #options: LocalProxyOptions;
  readonly stats: MemoryStats = new MemoryStats();
  #running: Running | undefined;

  /** A proxy runner; nothing runs before the first {@link apply}. */
  constructor(options: LocalProxyOptions) {
    this.#options = options;
  }

  /** The running proxy, if any. */
  get proxy(): ProxyHandle | undefined {
    return this.#running?.proxy;
  }

  /**
   * Starts the proxy on the first call and waits (at most the warming timeout) until its
   * listeners, clusters, routes and endpoints arrived; later calls have nothing to do, since
   * every change reaches the running proxy over xDS. Resolves whether it started now.
   */
  async apply(): Promise<boolean> {
    if (this.#running) return false;
    const compiled = this.#compile();
    const onRequest = this.#options.onRequest;
    const proxy = await startProxy(compiled.model, {
      stats: this.stats,
      ...(onRequest ? { accessLog: liveOnly(onRequest) } : {}),
      drainTimeoutMs: this.#options.drainTimeoutMs ?? 2000,
    });
    const xds = startXds(compiled, {
      proxy,
      log: this.#options.log,
      baseBackoffMs: 100,
      ...(onRequest ? { mapListener: (l: ListenerModel) => withLiveSink(l) } : {}),
    });
    this.#running = { proxy, xds };
    if (!await xds.ready(this.#options.warmingTimeoutMs ?? 5000)) {
      this.#options.log(
        "Serving without some listeners, routes or endpoints: xDS did not send them",
      );
    }
    return true;
  }

  #compile(): CompiledBootstrap {
    const text = JSON.stringify(buildLocalBootstrap(this.#options));
    const loaded = loadBootstrapText(text, { file: "<aeraki local bootstrap>" });
    if (!loaded.ok) {
      const why = loaded.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      throw new Error(`Cannot run the local proxy config: ${why}`);
    }
    return loaded.config;
  }

  /** Stops the xDS streams and drains the proxy. */
  async close(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.xds.close();
    await running.proxy.drain();
  }
}

function withLiveSink(l: ListenerModel): ListenerModel {
  return { ...l, accessLogs: [...l.accessLogs, LIVE_SINK] };
}
