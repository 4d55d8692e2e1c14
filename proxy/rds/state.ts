/**
 * The state of the route names on one RDS stream: which listeners use each name, the last
 * accepted version and bytes (updates are deduplicated by content), the ACK/NACK status for
 * `/config_dump`, and the RDS stats of spec §2.3 under each listener's prefix
 * (`meta_protocol.<protocol>.<stat_prefix>.rds.<name>.{config_reload,update_empty,
 * config_reload_time_ms}`).
 *
 * @module
 */
import type { DynamicRouteStatus } from "../admin/mod.ts";
import type { Counter, Gauge, ListenerModel, RouteTableModel, StatsSink } from "../config/model.ts";
import { convertRouteConfiguration } from "./convert.ts";

/** A decoded resource of a response, with its wire bytes (and, on delta, name and version). */
export interface Applied {
  readonly bytes: Uint8Array;
  readonly message: Record<string, unknown>;
  /** Delta only: the resource name and version the server gave it. */
  readonly name?: string;
  readonly version?: string;
}

/** The resources of one type on an xDS stream. */
export interface Watch {
  /** The resource type URL this watch handles. */
  readonly typeUrl: string;
  /** The protobuf message type of its resources. */
  readonly messageType: string;
  /** `LDS`, `CDS`, `RDS` or `EDS`, for logs. */
  readonly label: string;
  /** Subscribes to every resource of the type (LDS, CDS) rather than by name. */
  readonly wildcard: boolean;
  /** Subscribed resource names, sorted (empty for a wildcard watch). */
  names(): string[];
  /** Version of the last accepted response of this type ("" before any). */
  acceptedVersion(): string;
  /** Delta: the version of every resource held, for `initial_resource_versions`. */
  versions(): ReadonlyMap<string, string>;
  /**
   * Applies one response's resources; returns the errors (any error NACKs it). `removed`
   * is given on delta streams; on SotW streams a wildcard watch's response is the full set.
   */
  apply(resources: readonly Applied[], version: string, removed?: readonly string[]): string[];
  /** Records that a response of this type was NACKed. */
  rejected(version: string, details: string): void;
  /** Set by the stream: called when {@link Watch.names} changed. */
  onNamesChanged?: () => void;
}

/** Where accepted route tables go (the warming coordinator, or the proxy). */
export interface TableSink {
  applyTable(table: RouteTableModel): void;
}

interface NameState {
  status: DynamicRouteStatus;
  bytes?: Uint8Array;
  version?: string;
  /** Listeners using the name. */
  users: Set<string>;
  reload: Counter[];
  empty: Counter[];
  reloadTime: Gauge[];
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Route names of one stream and what happened to them. */
export class RdsState implements Watch {
  readonly typeUrl = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  readonly messageType = "envoy.config.route.v3.RouteConfiguration";
  readonly label = "RDS";
  readonly wildcard = false;
  onNamesChanged?: () => void;
  readonly #stats: StatsSink;
  readonly #sink: TableSink;
  readonly #names = new Map<string, NameState>();
  #accepted = "";

  constructor(stats: StatsSink, sink: TableSink) {
    this.#stats = stats;
    this.#sink = sink;
  }

  /** Subscribes `name` for `listeners` (their stats prefixes get the RDS stats). */
  add(name: string, listeners: readonly ListenerModel[]): void {
    const prefixes = listeners.map((l) =>
      `meta_protocol.${l.protocol}.${l.statPrefix}.rds.${name}.`
    );
    const stats = this.#stats;
    let s = this.#names.get(name);
    const fresh = !s;
    if (!s) {
      s = {
        status: { routeConfigName: name, clientStatus: "REQUESTED" },
        users: new Set(),
        reload: [],
        empty: [],
        reloadTime: [],
      };
      this.#names.set(name, s);
    }
    for (const l of listeners) s.users.add(l.name);
    s.reload.push(...prefixes.map((p) => stats.counter(p + "config_reload")));
    s.empty.push(...prefixes.map((p) => stats.counter(p + "update_empty")));
    s.reloadTime.push(...prefixes.map((p) => stats.gauge(p + "config_reload_time_ms")));
    if (fresh) this.onNamesChanged?.();
  }

  /** Listener `listener` no longer uses `name`; the name is unsubscribed when nobody does. */
  release(name: string, listener: string): void {
    const s = this.#names.get(name);
    if (!s) return;
    s.users.delete(listener);
    if (s.users.size > 0) return;
    this.#names.delete(name);
    this.onNamesChanged?.();
  }

  /** Whether `name` is subscribed here. */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  versions(): ReadonlyMap<string, string> {
    const out = new Map<string, string>();
    for (const [name, s] of this.#names) if (s.version !== undefined) out.set(name, s.version);
    return out;
  }

  /** The subscribed names, sorted. */
  names(): string[] {
    return [...this.#names.keys()].sort();
  }

  /** The version of the last response accepted on this stream ("" before any). */
  acceptedVersion(): string {
    return this.#accepted;
  }

  /**
   * Applies the resources of one response: each named table is converted and swapped in
   * (unless its bytes did not change). Returns the errors; names with errors keep their
   * last good table. Exactly one resource per name is expected.
   */
  apply(resources: readonly Applied[], version: string): string[] {
    const errors: string[] = [];
    if (resources.length === 0) {
      for (const s of this.#names.values()) s.empty.forEach((c) => c.inc());
    }
    const seen = new Set<string>();
    for (const r of resources) {
      const name = r.name ?? String(r.message.name ?? "");
      const s = this.#names.get(name);
      if (!s) continue;
      if (seen.has(name)) {
        errors.push(`Cannot use route configuration "${name}" twice in one response`);
        continue;
      }
      seen.add(name);
      if (same(s.bytes, r.bytes)) continue;
      const converted = convertRouteConfiguration(r.message, name, version);
      if (!converted.ok) {
        errors.push(converted.error);
        continue;
      }
      this.#sink.applyTable(converted.table);
      s.bytes = r.bytes;
      s.version = r.version ?? version;
      const now = Date.now();
      s.status = {
        routeConfigName: name,
        versionInfo: version,
        lastUpdated: now,
        clientStatus: "ACKED",
      };
      s.reload.forEach((c) => c.inc());
      s.reloadTime.forEach((g) => g.set(now));
    }
    if (errors.length === 0) {
      this.#accepted = version;
      for (const s of this.#names.values()) {
        if (s.status.clientStatus !== "REQUESTED") {
          s.status = {
            ...s.status,
            versionInfo: version,
            clientStatus: "ACKED",
            errorState: undefined,
          };
        }
      }
    }
    return errors;
  }

  /** Records a NACKed response on every name. */
  rejected(version: string, details: string): void {
    const errorState = { details, lastUpdateAttempt: Date.now(), version };
    for (const s of this.#names.values()) {
      s.status = { ...s.status, clientStatus: "NACKED", errorState };
    }
  }

  /** `/config_dump` states. */
  status(): DynamicRouteStatus[] {
    return [...this.#names.values()].map((s) => s.status);
  }
}
