/**
 * A fault-injecting HTTP proxy in front of the test kube-apiserver. Clients talk plain HTTP to
 * it through the kubeconfig it writes; it re-originates each request over HTTPS with the real
 * kubeconfig's credentials. It can be scripted to answer 409, 429 (with Retry-After) and 500,
 * to answer a watch with 410 Gone, to cut open watch streams, and to act like an API server
 * restart (connections refused for a while); everything else passes through. It counts the
 * write requests (POST, PUT, PATCH, DELETE) it receives per path.
 *
 * @module
 */
import { KubeConfig } from "@kubernetes/client-node";
import type { RequestOptions } from "node:https";

/** An answer the proxy gives instead of the API server's. */
export type Fault =
  | { readonly status: 409 | 429 | 500; readonly retryAfterSeconds?: number }
  | { readonly gone: true };

/** Which requests a fault answers, and how many of them. */
export interface FaultRule {
  /** Only this method (`GET`, `PATCH`, ...). @default any */
  readonly method?: string;
  /** Only paths containing this string or matching this expression. @default any */
  readonly path?: string | RegExp;
  /** Only watch requests (`true`) or only others (`false`). @default either */
  readonly watch?: boolean;
  /** How many matching requests get the fault. @default 1 */
  readonly times?: number;
  readonly fault: Fault;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const REASONS: Record<number, string> = {
  409: "Conflict",
  429: "TooManyRequests",
  500: "InternalError",
};

/** How the proxy reaches the API server. */
interface Upstream {
  readonly client: Deno.HttpClient;
  readonly headers: Readonly<Record<string, string>>;
}

/** A running proxy; {@linkcode startKubeFaultProxy} makes one. */
export class KubeFaultProxy {
  readonly #base: URL;
  readonly #upstream: Upstream;
  readonly #rules: { rule: FaultRule; left: number }[] = [];
  readonly #watches = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #inflight = new Set<AbortController>();
  readonly #writes = new Map<string, number>();
  #server?: Deno.HttpServer;
  #port = 0;

  /** The kubeconfig that points clients at the proxy (written by `startKubeFaultProxy`). */
  kubeconfig = "";

  constructor(base: URL, upstream: Upstream) {
    this.#base = base;
    this.#upstream = upstream;
  }

  /** The proxy's URL (`http://127.0.0.1:PORT`). */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** How many watch streams are open now. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /** Answers the next matching requests with a fault (rules are tried in the order given). */
  inject(rule: FaultRule): void {
    this.#rules.push({ rule, left: rule.times ?? 1 });
  }

  /** Faults injected but not yet served. */
  pendingFaults(): number {
    return this.#rules.reduce((n, r) => n + r.left, 0);
  }

  /**
   * Cuts every open watch stream: `graceful` ends it like a server-side timeout (the client
   * re-watches at once), otherwise the response breaks off mid-stream.
   */
  cutWatches(options: { readonly graceful?: boolean } = {}): number {
    const cut = this.#watches.size;
    for (const stream of this.#watches) {
      try {
        if (options.graceful) stream.close();
        else stream.error(new Error("watch cut by the fault proxy"));
      } catch { /* already closed */ }
    }
    this.#watches.clear();
    return cut;
  }

  /** Write requests received per path (including those answered with a fault). */
  writes(): ReadonlyMap<string, number> {
    return new Map(this.#writes);
  }

  /** All write requests received. */
  totalWrites(): number {
    let n = 0;
    for (const c of this.#writes.values()) n += c;
    return n;
  }

  /** Forgets the write counts. */
  resetWrites(): void {
    this.#writes.clear();
  }

  /**
   * Acts like an API server restart: breaks every open request and refuses connections for
   * `downMilliseconds`, then listens again on the same port.
   */
  async restart(downMilliseconds: number): Promise<void> {
    await this.#stop();
    await new Promise((resolve) => setTimeout(resolve, downMilliseconds));
    this.listen(this.#port);
  }

  /** Starts listening (on an ephemeral port when `port` is 0). */
  listen(port: number): void {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.#port = (this.#server.addr as Deno.NetAddr).port;
  }

  /** Stops the proxy and breaks every open request. */
  async close(): Promise<void> {
    this.cutWatches({ graceful: true });
    await this.#stop();
    this.#upstream.client.close();
  }

  async #stop(): Promise<void> {
    this.cutWatches();
    for (const c of this.#inflight) c.abort();
    await this.#server?.shutdown();
    this.#server = undefined;
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method;
    if (WRITES.has(method)) {
      this.#writes.set(url.pathname, (this.#writes.get(url.pathname) ?? 0) + 1);
    }
    const watch = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
    const fault = this.#match(method, url.pathname, watch);
    if (fault) {
      await request.body?.cancel();
      return answerFault(fault, watch);
    }
    return await this.#forward(request, url, watch);
  }

  #match(method: string, path: string, watch: boolean): Fault | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (entry.left <= 0) continue;
      if (rule.method && rule.method !== method) continue;
      if (rule.watch !== undefined && rule.watch !== watch) continue;
      if (typeof rule.path === "string" && !path.includes(rule.path)) continue;
      if (rule.path instanceof RegExp && !rule.path.test(path)) continue;
      entry.left--;
      return rule.fault;
    }
    return undefined;
  }

  async #forward(request: Request, url: URL, watch: boolean): Promise<Response> {
    const abort = new AbortController();
    this.#inflight.add(abort);
    const headers = new Headers(request.headers);
    headers.delete("host");
    for (const [k, v] of Object.entries(this.#upstream.headers)) headers.set(k, v);
    try {
      const body = request.body ? await request.arrayBuffer() : undefined;
      const answer = await fetch(new URL(url.pathname + url.search, this.#base), {
        method: request.method,
        headers,
        body,
        client: this.#upstream.client,
        signal: abort.signal,
      });
      const relayed = new Headers(answer.headers);
      relayed.delete("content-length");
      relayed.delete("transfer-encoding");
      if (!watch || !answer.body) {
        const bytes = await answer.arrayBuffer();
        return new Response(bytes, { status: answer.status, headers: relayed });
      }
      return new Response(this.#relayWatch(answer.body, abort), {
        status: answer.status,
        headers: relayed,
      });
    } catch (e) {
      return statusResponse(502, "BadGateway", `proxy: ${e instanceof Error ? e.message : e}`);
    } finally {
      if (!watch) this.#inflight.delete(abort);
    }
  }

  /** A watch body the proxy can end or break off; it pumps the API server's bytes through. */
  #relayWatch(source: ReadableStream<Uint8Array>, abort: AbortController) {
    const reader = source.getReader();
    let own: ReadableStreamDefaultController<Uint8Array>;
    const done = () => {
      this.#watches.delete(own);
      this.#inflight.delete(abort);
      abort.abort();
    };
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        own = controller;
        this.#watches.add(controller);
      },
      pull: async (controller) => {
        try {
          const chunk = await reader.read();
          if (!this.#watches.has(controller)) return; // cut meanwhile
          if (chunk.done) {
            done();
            controller.close();
          } else controller.enqueue(chunk.value);
        } catch (e) {
          done();
          try {
            controller.error(e);
          } catch { /* cut meanwhile */ }
        }
      },
      cancel: () => done(),
    });
  }
}

function statusObject(code: number, reason: string, message: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
}

function statusResponse(code: number, reason: string, message: string, extra = {}): Response {
  return new Response(JSON.stringify(statusObject(code, reason, message)), {
    status: code,
    headers: { "content-type": "application/json", ...extra },
  });
}

function answerFault(fault: Fault, watch: boolean): Response {
  if ("gone" in fault) {
    const message = "too old resource version (injected)";
    if (!watch) return statusResponse(410, "Expired", message);
    // The API server answers a too-old watch with 200 and one ERROR event.
    const event = { type: "ERROR", object: statusObject(410, "Expired", message) };
    return new Response(JSON.stringify(event) + "\n", {
      headers: { "content-type": "application/json" },
    });
  }
  const extra = fault.retryAfterSeconds === undefined
    ? {}
    : { "retry-after": String(fault.retryAfterSeconds) };
  return statusResponse(fault.status, REASONS[fault.status], `injected ${fault.status}`, extra);
}

/**
 * Starts a proxy in front of the API server of `kubeconfig` and writes `dir/kubeconfig`
 * pointing at it (its `kubeconfig` field holds the path).
 *
 * @example
 * ```ts ignore
 * const proxy = await startKubeFaultProxy(Deno.env.get("AERAKI_KUBECONFIG")!, { dir });
 * proxy.inject({ method: "PATCH", fault: { status: 409 } });
 * ```
 */
export async function startKubeFaultProxy(
  kubeconfig: string,
  options: { readonly dir: string },
): Promise<KubeFaultProxy> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`Cannot start the fault proxy: "${kubeconfig}" names no cluster`);
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const proxy = new KubeFaultProxy(new URL(cluster.server), upstreamClient(tls));
  proxy.listen(0);
  proxy.kubeconfig = `${options.dir}/kubeconfig`;
  await Deno.writeTextFile(
    proxy.kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      // client-node talks plain HTTP only with TLS verification off (there is no TLS to verify).
      clusters: [{
        name: "fault-proxy",
        cluster: { server: proxy.url, "insecure-skip-tls-verify": true },
      }],
      users: [{ name: "via-proxy", user: {} }],
      contexts: [{
        name: "fault-proxy",
        context: { cluster: "fault-proxy", user: "via-proxy", namespace: "default" },
      }],
      "current-context": "fault-proxy",
    }),
  );
  return proxy;
}

/** Deno's fetch client and headers that carry the kubeconfig's credentials to the API server. */
function upstreamClient(tls: RequestOptions): Upstream {
  const text = (v: unknown) => (v === undefined ? undefined : String(v));
  const cert = text(tls.cert), key = text(tls.key), ca = text(tls.ca);
  const client = Deno.createHttpClient({
    caCerts: ca ? [ca] : undefined,
    ...(cert && key ? { cert, key } : {}),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(tls.headers ?? {})) headers[k] = String(v);
  return { client, headers };
}
