/**
 * Our CRDs on a real kube-apiserver (the one `_tools/kube_env.sh` starts; CI exports
 * `AERAKI_KUBECONFIG`): the API server accepts them, and the OpenAPI it publishes — what
 * `kubectl explain` prints — carries every field's description. Ignored without a server on a
 * developer machine; when CI could not start one (`AERAKI_KUBE_UNAVAILABLE`), it fails saying why.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { crdSchema } from "../api/mod.ts";
import { AERAKI_CRDS, buildCrd } from "../constructs/crds.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG");
const UNAVAILABLE = Deno.env.get("AERAKI_KUBE_UNAVAILABLE");

interface Api {
  readonly request: (path: string, init?: RequestInit) => Promise<Response>;
}

async function api(): Promise<Api> {
  if (KUBECONFIG === undefined) {
    throw new Error(`Cannot reach the test kube-apiserver: ${UNAVAILABLE ?? "no kubeconfig"}`);
  }
  const config = parse(await Deno.readTextFile(KUBECONFIG)) as {
    clusters: { cluster: { server: string; "certificate-authority": string } }[];
    users: { user: { token: string } }[];
  };
  const { server, "certificate-authority": caFile } = config.clusters[0].cluster;
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(caFile)] });
  const token = config.users[0].user.token;
  return {
    request: (path, init = {}) =>
      fetch(`${server}${path}`, {
        ...init,
        client,
        headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
      } as RequestInit),
  };
}

type Node = Record<string, unknown>;

/** `spec.routes[].route` in a schema. */
const ROUTE = ["properties", "spec", "properties", "routes", "items", "properties", "route"];

function at(node: unknown, keys: readonly string[]): Node {
  return keys.reduce((n: Node, k) => (n?.[k] ?? {}) as Node, node as Node);
}

/** Polls `probe` every 100 ms, up to 300 times, until it returns a value. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Cannot see ${what} after 300 tries`);
}

Deno.test({
  name: "the API server accepts our CRDs and publishes their descriptions for kubectl explain",
  ignore: KUBECONFIG === undefined && UNAVAILABLE === undefined,
  async fn() {
    const { request } = await api();
    for (const info of AERAKI_CRDS) {
      const crd = buildCrd(info) as { metadata: { name: string } };
      const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
      const applied = await request(`${path}?fieldManager=aeraki-explain-test&force=true`, {
        method: "PATCH",
        headers: { "content-type": "application/apply-patch+yaml" },
        body: JSON.stringify(crd),
      });
      if (!applied.ok) assert.fail(`Cannot apply ${crd.metadata.name}: ${await applied.text()}`);
      await applied.body?.cancel();
    }
    const route = at(crdSchema("MetaRouter"), ROUTE);
    const published = await eventually("MetaRouter in /openapi/v3", async () => {
      const res = await request("/openapi/v3/apis/metaprotocol.aeraki.io/v1alpha1");
      if (!res.ok) return void await res.body?.cancel();
      const schemas = at(await res.json(), ["components", "schemas"]);
      return schemas["io.aeraki.metaprotocol.v1alpha1.MetaRouter"] as Node | undefined;
    });
    const served = at(published, ROUTE);
    assert.equal(served.description, route.description);
    const weight = ["items", "properties", "weight"];
    assert.equal(at(served, weight).description, at(route, weight).description);
    assert.equal(at(served, weight).maximum, 100);
  },
});
