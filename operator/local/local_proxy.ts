/**
 * The proxy of `aeraki local`: our MetaProtocol data plane started from a bootstrap whose
 * listeners and clusters are the generated ones and whose routes (RDS) and endpoints (EDS)
 * come over ADS from the in-process xDS server — the proxy is a real xDS client of it.
 * The proxy has no LDS/CDS client, so a change of the listener or cluster set (a
 * ServiceEntry or DestinationRule edit) drains the running proxy and starts a new one;
 * route and endpoint changes reach the running one over xDS without closing a connection.
 *
 * @module
 */
import type { ProxyResources } from "../generate/mod.ts";
import { stableStringify } from "../generate/mod.ts";
import { type CompiledBootstrap, loadBootstrapText } from "../../proxy/bootstrap/mod.ts";
import type { AccessLogCallback, ProxyHandle } from "../../proxy/config/model.ts";
import { MemoryStats, startProxy } from "../../proxy/mod.ts";
import { startXds, type XdsClients } from "../../proxy/rds/mod.ts";
import { WarmingControl } from "./_warming.ts";

/** The xDS cluster's name in the bootstrap. */
export const LOCAL_XDS_CLUSTER = "aeraki-local-xds";

/** Options of {@link buildLocalBootstrap}. */
export interface LocalBootstrapOptions {
  /** Port of the xDS server on 127.0.0.1. */
  readonly xdsPort: number;
  /** The node id the proxy reports. @default "aeraki-local" */
  readonly nodeId?: string;
}

/** An Envoy v3 bootstrap (proto3 JSON) for the generated listeners and clusters. */
export function buildLocalBootstrap(
  resources: Pick<ProxyResources, "listeners" | "clusters">,
  options: LocalBootstrapOptions,
): Record<string, unknown> {
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
  return {
    node: { id: options.nodeId ?? "aeraki-local", cluster: "aeraki-local" },
    dynamicResources: {
      adsConfig: {
        apiType: "GRPC",
        transportApiVersion: "V3",
        grpcServices: [{ envoyGrpc: { clusterName: LOCAL_XDS_CLUSTER } }],
      },
    },
    staticResources: { listeners: resources.listeners, clusters: [...resources.clusters, xds] },
  };
}

/** Options of {@link LocalProxy}. */
export interface LocalProxyOptions extends LocalBootstrapOptions {
  /** Lifecycle lines (restarts, NACKs, reconnects). */
  readonly log: (line: string) => void;
  /** Called for every request the proxy answered, for the live view. Must not throw. */
  readonly onRequest?: AccessLogCallback;
  /** How long a restart waits for in-flight requests (ms). @default 2000 */
  readonly drainTimeoutMs?: number;
  /** How long a new proxy waits for its routes and endpoints before listening (ms). @default 5000 */
  readonly warmingTimeoutMs?: number;
}

interface Running {
  readonly proxy: ProxyHandle;
  readonly xds: XdsClients;
  readonly key: string;
}

const LIVE_SINK = { name: "aeraki.local.live_view", config: null };

/** Passes on only the entries of the live-view sink (generated access logs are not written). */
function liveOnly(callback: AccessLogCallback): AccessLogCallback {
  return (listener, sink, entry) => {
    if (listener.accessLogs[sink] === LIVE_SINK) callback(listener, sink, entry);
  };
}

/** The running proxy of `aeraki local`, replaced when its listeners or clusters change. */
export class LocalProxy {
  readonly #options: LocalProxyOptions;
  /** Shared by every proxy this runs, so counters survive restarts. */
  readonly stats: MemoryStats = new MemoryStats();
  #running: Running | undefined;
  #restarts = 0;

  /** A proxy runner; nothing runs before the first {@link apply}. */
  constructor(options: LocalProxyOptions) {
    this.#options = options;
  }

  /** The running proxy, if any. */
  get proxy(): ProxyHandle | undefined {
    return this.#running?.proxy;
  }

  /** How many times a running proxy was replaced. */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Runs the proxy for `resources`: nothing to do when its listeners and clusters are the
   * running ones (routes and endpoints come over xDS); otherwise the running proxy drains and
   * a new one starts. Rejects when the bootstrap does not compile or a listener cannot bind;
   * the previous proxy is then already gone.
   */
  async apply(resources: Pick<ProxyResources, "listeners" | "clusters">): Promise<boolean> {
    const key = stableStringify([resources.listeners, resources.clusters]);
    if (this.#running?.key === key) return false;
    const compiled = this.#compile(resources);
    // Warm first (subscriptions before listeners), while the running proxy still serves.
    const warming = new WarmingControl(compiled, this.stats);
    const xds = startXds(compiled, { proxy: warming, log: this.#options.log, baseBackoffMs: 100 });
    if (!await warming.whenReady(this.#options.warmingTimeoutMs ?? 5000)) {
      this.#options.log(
        "Starting the proxy without some routes or endpoints: xDS did not send them",
      );
    }
    if (this.#running) this.#restarts++;
    await this.#stop();
    const onRequest = this.#options.onRequest;
    let proxy: ProxyHandle;
    try {
      proxy = await startProxy(warming.warmed(compiled), {
        stats: this.stats,
        ...(onRequest ? { accessLog: liveOnly(onRequest) } : {}),
        drainTimeoutMs: this.#options.drainTimeoutMs ?? 2000,
      });
    } catch (e) {
      await xds.close();
      throw e;
    }
    warming.attach(proxy);
    this.#running = { proxy, xds, key };
    return true;
  }

  #compile(resources: Pick<ProxyResources, "listeners" | "clusters">): CompiledBootstrap {
    const text = JSON.stringify(buildLocalBootstrap(resources, this.#options));
    const loaded = loadBootstrapText(text, { file: "<aeraki local bootstrap>" });
    if (!loaded.ok) {
      const why = loaded.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      throw new Error(`Cannot run the generated proxy config: ${why}`);
    }
    if (!this.#options.onRequest) return loaded.config;
    const listeners = loaded.config.model.listeners.map((l) => ({
      ...l,
      accessLogs: [...l.accessLogs, LIVE_SINK],
    }));
    return { ...loaded.config, model: { ...loaded.config.model, listeners } };
  }

  async #stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.xds.close();
    await running.proxy.drain();
  }

  /** Stops the xDS streams and drains the proxy. */
  async close(): Promise<void> {
    await this.#stop();
  }
}
