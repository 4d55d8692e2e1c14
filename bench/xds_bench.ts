/**
 * xDS push latency: from a MetaRouter change (regenerate, build the snapshot, publish) to the
 * pushed RouteConfiguration arriving at a connected SotW client over loopback gRPC, with 1,000
 * and 10,000 services. `bench/xds_latency.ts` prints p50/p99 of the same loop and the server's
 * memory with 1,000 connected clients.
 *
 * @module
 */
import { ROUTE_CONFIGURATION_TYPE_URL } from "../proto/mod.ts";
import { XdsTestClient } from "../tests/xds_client.ts";
import { ProxyGenerator } from "../operator/generate/mod.ts";
import { buildXdsSnapshot } from "../operator/xds/snapshot.ts";
import { syntheticMesh, withChangedRouter } from "../tests/generate_fixtures.ts";
import { routeName, ServedMesh } from "./_xds_mesh.ts";

/** Change → ProxyGenerator → xDS snapshot, without serving: the part that must not grow with N. */
function snapshotBench(n: number): void {
  const mesh = syntheticMesh(n), mid = n >> 1;
  const rule = (simple: string) => {
    const destinationRules = mesh.destinationRules.slice(), r = destinationRules[mid];
    destinationRules[mid] = {
      ...r,
      spec: { ...r.spec, trafficPolicy: { loadBalancer: { simple } } },
    };
    return { ...mesh, destinationRules };
  };
  const cases = {
    "MetaRouter change": [withChangedRouter(mesh, mid, 30), withChangedRouter(mesh, mid, 40)],
    "DestinationRule change": [rule("RANDOM"), rule("LEAST_REQUEST")],
  };
  for (const [what, edits] of Object.entries(cases)) {
    const generator = new ProxyGenerator();
    let snapshot = buildXdsSnapshot(generator.generate(mesh)), round = 0;
    Deno.bench(`${what} to xDS snapshot (no serving), ${n} services`, {
      group: `xds-snapshot-${what}-${n}`,
    }, () => {
      snapshot = buildXdsSnapshot(generator.generate(edits[round++ & 1]), snapshot);
    });
  }
}

for (const n of [1_000, 10_000]) {
  snapshotBench(n);
  const served = new ServedMesh(n);
  const port = await served.serve();
  const client = new XdsTestClient(`127.0.0.1:${port}`);
  const stream = client.routes();
  const names = [routeName(7)];
  let last = await stream.exchange({ node: { id: `bench-${n}` }, resource_names: names });
  Deno.bench(`MetaRouter change to pushed route at the client, ${n} services`, {
    group: `xds-push-${n}`,
  }, async () => {
    stream.send({
      type_url: ROUTE_CONFIGURATION_TYPE_URL,
      resource_names: names,
      version_info: last.version_info,
      response_nonce: last.nonce,
    });
    served.change(7);
    last = await stream.responses.next();
  });
  globalThis.addEventListener("unload", () => {
    stream.close();
    client.close();
    served.server?.close();
  });
}
