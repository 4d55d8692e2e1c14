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
import { routeName, ServedMesh } from "./_xds_mesh.ts";

for (const n of [1_000, 10_000]) {
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
