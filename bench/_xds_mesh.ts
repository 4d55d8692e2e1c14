/**
 * Shared set-up of the xDS benchmarks: a synthetic mesh of N MetaProtocol services generated
 * for our proxy, published into a snapshot cache served by the real gRPC server, and the loop
 * "change one MetaRouter → generate → publish → the subscribed client receives the route".
 *
 * @module
 */
import { ProxyGenerator } from "../operator/generate/mod.ts";
import { SnapshotCache } from "../operator/xds/cache.ts";
import { type RunningGrpcServer, startGrpcServer } from "../operator/xds/grpc_server.ts";
import { buildXdsSnapshot, type XdsSnapshot } from "../operator/xds/snapshot.ts";
import { XdsStatus } from "../operator/xds/status.ts";
import { syntheticMesh, withChangedRouter } from "../tests/generate_fixtures.ts";
import type { MeshSnapshot } from "../operator/generate/mod.ts";

/** A served mesh whose MetaRouters can be changed. */
export class ServedMesh {
  readonly cache = new SnapshotCache();
  readonly status = new XdsStatus();
  readonly generator = new ProxyGenerator();
  mesh: MeshSnapshot;
  snapshot: XdsSnapshot;
  server?: RunningGrpcServer;
  #weight = 20;

  constructor(services: number) {
    this.mesh = syntheticMesh(services);
    this.snapshot = buildXdsSnapshot(this.generator.generate(this.mesh));
    this.cache.set(this.snapshot);
  }

  /** Starts the gRPC server on a free loopback port. */
  async serve(): Promise<number> {
    this.server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      cache: this.cache,
      status: this.status,
      log: () => {},
    });
    return this.server.port;
  }

  /** Changes the split of MetaRouter `i`, regenerates and publishes. */
  change(i: number): void {
    this.#weight = this.#weight % 98 + 1;
    this.mesh = withChangedRouter(this.mesh, i, this.#weight);
    this.snapshot = buildXdsSnapshot(this.generator.generate(this.mesh), this.snapshot);
    this.cache.set(this.snapshot);
  }
}

/** The RDS name of service `i` of the synthetic mesh. */
export function routeName(i: number): string {
  return `svc${i}.ns${i % 50}.svc.cluster.local_9090`;
}
