/**
 * EDS on the same streams as RDS: `ClusterLoadAssignment`s by service name replace the
 * endpoints of the EDS clusters that use the name (the proxy keeps in-flight requests on
 * endpoints that disappear). Updates are deduplicated by content.
 *
 * @module
 */
import { CompileContext, compileEndpoints } from "../bootstrap/mod.ts";
import type { ClusterModel, ProxyControl } from "../config/model.ts";
import type { Applied, Watch } from "./state.ts";

/** Resource type of EDS. */
export const ENDPOINTS_TYPE_URL =
  "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** EDS service names of one stream and the clusters they fill. */
export class EdsState implements Watch {
  readonly typeUrl = ENDPOINTS_TYPE_URL;
  readonly messageType = "envoy.config.endpoint.v3.ClusterLoadAssignment";
  readonly #proxy: ProxyControl;
  readonly #clusters = new Map<string, ClusterModel[]>();
  readonly #bytes = new Map<string, Uint8Array>();
  #accepted = "";

  constructor(proxy: ProxyControl) {
    this.#proxy = proxy;
  }

  /** Subscribes `serviceName` for `cluster`. */
  add(serviceName: string, cluster: ClusterModel): void {
    this.#clusters.set(serviceName, [...(this.#clusters.get(serviceName) ?? []), cluster]);
  }

  names(): string[] {
    return [...this.#clusters.keys()].sort();
  }

  acceptedVersion(): string {
    return this.#accepted;
  }

  apply(resources: readonly Applied[], version: string): string[] {
    const errors: string[] = [];
    const updates: ClusterModel[] = [];
    for (const r of resources) {
      const name = String(r.message.cluster_name ?? "");
      const clusters = this.#clusters.get(name);
      if (!clusters || same(this.#bytes.get(name), r.bytes)) continue;
      const ctx = new CompileContext(new WeakMap());
      for (const c of clusters) {
        const endpoints = compileEndpoints(ctx, r.message, c.type);
        if (ctx.problems.length === 0) updates.push({ ...c, endpoints });
      }
      if (ctx.problems.length > 0) {
        errors.push(`Cannot use the endpoints of "${name}": ${ctx.problems[0].message}`);
        continue;
      }
      this.#bytes.set(name, r.bytes);
    }
    if (updates.length > 0) this.#proxy.updateClusters(updates);
    if (errors.length === 0) this.#accepted = version;
    return errors;
  }

  rejected(): void {}
}
