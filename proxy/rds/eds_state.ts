/**
 * EDS on the same streams as RDS: `ClusterLoadAssignment`s by service name, handed to the
 * coordinator, which replaces the endpoints of every cluster using the name (the proxy keeps
 * in-flight requests on endpoints that disappear) and finishes warming new clusters. Updates
 * are deduplicated by content.
 *
 * @module
 */
import { CompileContext, compileEndpoints } from "../bootstrap/mod.ts";
import type { EndpointModel } from "../config/model.ts";
import type { Applied, Watch } from "./state.ts";

/** Resource type of EDS. */
export const ENDPOINTS_TYPE_URL =
  "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

/** Where accepted endpoints go. */
export interface EndpointSink {
  endpoints(serviceName: string, endpoints: readonly EndpointModel[]): void;
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** EDS service names of one stream. */
export class EdsState implements Watch {
  readonly typeUrl = ENDPOINTS_TYPE_URL;
  readonly messageType = "envoy.config.endpoint.v3.ClusterLoadAssignment";
  readonly label = "EDS";
  readonly wildcard = false;
  onNamesChanged?: () => void;
  readonly #sink: EndpointSink;
  /** Service name → clusters using it. */
  readonly #users = new Map<string, Set<string>>();
  readonly #bytes = new Map<string, Uint8Array>();
  readonly #versions = new Map<string, string>();
  #accepted = "";

  constructor(sink: EndpointSink) {
    this.#sink = sink;
  }

  /** Subscribes `serviceName` for `cluster`. */
  add(serviceName: string, cluster: string): void {
    let users = this.#users.get(serviceName);
    if (!users) this.#users.set(serviceName, users = new Set());
    const fresh = users.size === 0;
    users.add(cluster);
    if (fresh) this.onNamesChanged?.();
  }

  /** `cluster` no longer uses `serviceName`; unsubscribed when no cluster does. */
  release(serviceName: string, cluster: string): void {
    const users = this.#users.get(serviceName);
    if (!users?.delete(cluster) || users.size > 0) return;
    this.#users.delete(serviceName);
    this.#bytes.delete(serviceName);
    this.#versions.delete(serviceName);
    this.onNamesChanged?.();
  }

  names(): string[] {
    return [...this.#users.keys()].sort();
  }

  acceptedVersion(): string {
    return this.#accepted;
  }

  versions(): ReadonlyMap<string, string> {
    return this.#versions;
  }

  apply(resources: readonly Applied[], version: string): string[] {
    const errors: string[] = [];
    for (const r of resources) {
      const name = r.name ?? String(r.message.cluster_name ?? "");
      if (!this.#users.has(name) || same(this.#bytes.get(name), r.bytes)) continue;
      const ctx = new CompileContext(new WeakMap());
      const endpoints = compileEndpoints(ctx, r.message, "EDS");
      if (ctx.problems.length > 0) {
        errors.push(`Cannot use the endpoints of "${name}": ${ctx.problems[0].message}`);
        continue;
      }
      this.#bytes.set(name, r.bytes);
      this.#versions.set(name, r.version ?? version);
      this.#sink.endpoints(name, endpoints);
    }
    if (errors.length === 0) this.#accepted = version;
    return errors;
  }

  rejected(): void {}
}
