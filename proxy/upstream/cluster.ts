/**
 * A cluster at run time: its endpoints (hosts) with health, outlier-detection state and
 * connection pools, its load balancer over the hosts that may take traffic, and its circuit
 * breakers.
 *
 * @module
 */
import type { ClusterModel, EndpointModel, EndpointStatus } from "../config/model.ts";
import { type ClusterStats, clusterStats } from "../stats.ts";
import type { StatsSink } from "../config/model.ts";
import { buildLoadBalancer, type LoadBalancer } from "./load_balancer.ts";
import type { UpstreamConnection } from "./upstream_connection.ts";

/** One endpoint of a cluster with its live state. */
export class Host {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly health: EndpointModel["health"];
  activeRequests = 0;
  activeConnections = 0;
  consecutiveErrors = 0;
  ejections = 0;
  /** performance.now() until which the host is ejected; 0 = not ejected. */
  ejectedUntil = 0;
  /** Idle exclusive connections. */
  readonly idle: UpstreamConnection[] = [];
  /** Shared (multiplexed) connections. */
  readonly shared: UpstreamConnection[] = [];
  /** Set when the host left the cluster: connections close once idle. */
  removed = false;

  constructor(e: EndpointModel) {
    this.address = e.address;
    this.port = e.port;
    this.weight = Math.max(1, e.weight);
    this.health = e.health;
    this.key = e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
  }

  /** Whether health checks allow traffic. */
  get healthy(): boolean {
    return this.health === "healthy" || this.health === "unknown";
  }
}

const DEFAULT_LIMIT = 1024;

/** Live state of one cluster. */
export class Cluster {
  model: ClusterModel;
  hosts: Host[];
  readonly stats: ClusterStats;
  activeRequests = 0;
  activeConnections = 0;
  pendingRequests = 0;
  activeRetries = 0;
  #lb: LoadBalancer<Host> | undefined;
  #nextUneject = Infinity;

  constructor(model: ClusterModel, sink: StatsSink) {
    this.model = model;
    this.hosts = model.endpoints.map((e) => new Host(e));
    this.stats = clusterStats(sink, model.name);
    this.#membership();
  }

  get maxConnections(): number {
    return this.model.circuitBreakers?.maxConnections ?? DEFAULT_LIMIT;
  }
  get maxPendingRequests(): number {
    return this.model.circuitBreakers?.maxPendingRequests ?? DEFAULT_LIMIT;
  }
  get maxRequests(): number {
    return this.model.circuitBreakers?.maxRequests ?? DEFAULT_LIMIT;
  }
  get maxRetries(): number {
    return this.model.circuitBreakers?.maxRetries ?? 3;
  }

  /** Replaces the model; hosts kept by key keep their state and connections. */
  update(model: ClusterModel): void {
    const old = new Map(this.hosts.map((h) => [h.key, h]));
    this.model = model;
    this.hosts = model.endpoints.map((e) => {
      const fresh = new Host(e);
      const prev = old.get(fresh.key);
      if (prev && prev.health === fresh.health && prev.weight === fresh.weight) {
        old.delete(fresh.key);
        return prev;
      }
      return fresh;
    });
    for (const gone of old.values()) this.retire(gone);
    this.#lb = undefined;
    this.#membership();
  }

  /** Marks `host` removed and closes its idle connections. */
  retire(host: Host): void {
    host.removed = true;
    for (const c of host.idle.splice(0)) c.close();
    for (const c of host.shared) c.retireWhenIdle();
  }

  /** Closes every connection (proxy shutdown or cluster removal). */
  closeAll(): void {
    for (const h of this.hosts) {
      h.removed = true;
      for (const c of h.idle.splice(0)) c.close();
      for (const c of h.shared.splice(0)) c.close();
    }
  }

  /** Picks a host for a request, or undefined when none may take traffic. */
  pick(hash: bigint | undefined, random: number): Host | undefined {
    if (this.#nextUneject !== Infinity && performance.now() >= this.#nextUneject) this.#uneject();
    if (!this.#lb) this.#lb = this.#build();
    return this.#lb.pick(hash, random);
  }

  #build(): LoadBalancer<Host> {
    const usable = this.hosts.filter((h) => h.healthy && h.ejectedUntil === 0);
    const m = this.model;
    return buildLoadBalancer(m.lbPolicy, usable, {
      minimumRingSize: m.ringHash?.minimumRingSize,
      maximumRingSize: m.ringHash?.maximumRingSize,
      maglevTableSize: m.maglev?.tableSize,
    });
  }

  #uneject(): void {
    const now = performance.now();
    let next = Infinity;
    let changed = false;
    for (const h of this.hosts) {
      if (h.ejectedUntil === 0) continue;
      if (h.ejectedUntil <= now) {
        h.ejectedUntil = 0;
        h.consecutiveErrors = 0;
        changed = true;
        this.stats.outlierDetectionEjectionsActive.add(-1);
      } else next = Math.min(next, h.ejectedUntil);
    }
    this.#nextUneject = next;
    if (changed) this.#lb = undefined;
  }

  /** Outlier detection: a request to `host` succeeded. */
  success(host: Host): void {
    host.consecutiveErrors = 0;
  }

  /** Outlier detection: a request or connect to `host` failed; may eject it. */
  failure(host: Host): void {
    const od = this.model.outlierDetection;
    if (!od) return;
    host.consecutiveErrors++;
    if (host.consecutiveErrors < od.consecutiveErrors || host.ejectedUntil !== 0) return;
    const ejected = this.hosts.filter((h) => h.ejectedUntil !== 0).length;
    // At least one host may always be ejected (Envoy).
    if (ejected > 0 && (ejected + 1) * 100 > od.maxEjectionPercent * this.hosts.length) return;
    host.ejections++;
    host.ejectedUntil = performance.now() + od.baseEjectionTimeMs * host.ejections;
    this.#nextUneject = Math.min(this.#nextUneject, host.ejectedUntil);
    this.stats.outlierDetectionEjectionsTotal.inc();
    this.stats.outlierDetectionEjectionsActive.add(1);
    this.#lb = undefined;
  }

  #membership(): void {
    this.stats.membershipTotal.set(this.hosts.length);
    this.stats.membershipHealthy.set(this.hosts.filter((h) => h.healthy).length);
  }

  /** Endpoint state for `/clusters`. */
  status(): EndpointStatus[] {
    if (performance.now() >= this.#nextUneject) this.#uneject();
    return this.hosts.map((h) => ({
      address: h.address,
      port: h.port,
      weight: h.weight,
      health: h.health,
      ejected: h.ejectedUntil !== 0,
      activeConnections: h.activeConnections,
      activeRequests: h.activeRequests,
    }));
  }
}
