/**
 * How the fault proxy reaches the real API server (the kubeconfig's server, CA and client
 * credentials), and the kubeconfig that points clients at the proxy instead.
 *
 * @module
 */
import { KubeConfig } from "@kubernetes/client-node";
import type { RequestOptions } from "node:https";

/** The API server's URL, a fetch client with the kubeconfig's TLS, and its auth headers. */
export interface Upstream {
  readonly base: URL;
  readonly client: Deno.HttpClient;
  readonly headers: Readonly<Record<string, string>>;
}

/** Reads `kubeconfig`'s current cluster and credentials. */
export async function upstreamOf(kubeconfig: string): Promise<Upstream> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`Cannot start the fault proxy: "${kubeconfig}" names no cluster`);
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const text = (v: unknown) => (v === undefined ? undefined : String(v));
  const cert = text(tls.cert), key = text(tls.key), ca = text(tls.ca);
  const client = Deno.createHttpClient({
    caCerts: ca ? [ca] : undefined,
    ...(cert && key ? { cert, key } : {}),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(tls.headers ?? {})) headers[k] = String(v);
  return { base: new URL(cluster.server), client, headers };
}

/** Writes a kubeconfig at `path` that sends clients to the proxy at `url` over plain HTTP. */
export async function writeProxyKubeconfig(path: string, url: string): Promise<void> {
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      // client-node talks plain HTTP only with TLS verification off (there is no TLS to verify).
      clusters: [{
        name: "fault-proxy",
        cluster: { server: url, "insecure-skip-tls-verify": true },
      }],
      users: [{ name: "via-proxy", user: {} }],
      contexts: [{
        name: "fault-proxy",
        context: { cluster: "fault-proxy", user: "via-proxy", namespace: "default" },
      }],
      "current-context": "fault-proxy",
    }),
  );
}
