/**
 * A fault-injecting HTTP proxy in front of the test kube-apiserver. Clients talk plain HTTP to
 * it through the kubeconfig it writes; it re-originates each request over HTTPS with the real
 * kubeconfig's credentials. It can be scripted to answer 409, 429 (with Retry-After) and 500,
 * to answer a watch with 410 Gone, to cut open watch streams, and to act like an API server
 * restart (connections refused for a while); everything else passes through. It logs the
 * write requests (POST, PUT, PATCH, DELETE) it receives, with bodies and answers
 * ({@linkcode WriteLog}).
 *
 * @module
 */
import { answerFault, type Fault, statusResponse } from "./_kube_fault_answer.ts";
import { type Upstream, upstreamOf, writeProxyKubeconfig } from "./_kube_fault_upstream.ts";
import { WriteLog, type WriteRecord } from "./kube_write_log.ts";

export type { Fault } from "./_kube_fault_answer.ts";

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

/** A running proxy; {@linkcode startKubeFaultProxy} makes one. */
export class KubeFaultProxy {
  readonly #base: URL;
  readonly #upstream: Upstream;
  readonly #rules: { rule: FaultRule; left: number }[] = [];
  /** Open watch streams and the paths they watch. */
  readonly #watches = new Map<ReadableStreamDefaultController<Uint8Array>, string>();
  readonly #inflight = new Set<AbortController>();
  /** Every write request received. */
  readonly log: WriteLog = new WriteLog();
  #countFrom = 0;
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
   * Cuts open watch streams (those whose path contains `path`, or all): `graceful` ends one
   * like a server-side timeout (the client re-watches at once), otherwise the response breaks
   * off mid-stream.
   */
  cutWatches(options: { readonly graceful?: boolean; readonly path?: string } = {}): number {
    let cut = 0;
    for (const [stream, path] of [...this.#watches]) {
      if (options.path !== undefined && !path.includes(options.path)) continue;
      cut++;
      this.#watches.delete(stream);
      try {
        if (options.graceful) stream.close();
        else stream.error(new Error("watch cut by the fault proxy"));
      } catch { /* already closed */ }
    }
    return cut;
  }

  /** Write requests received per path since the last reset (those answered with a fault too). */
  writes(): ReadonlyMap<string, number> {
    return this.log.countByPath(this.#countFrom);
  }

  /** All write requests received since the last reset. */
  totalWrites(): number {
    return this.log.since(this.#countFrom).length;
  }

  /** Starts counting writes afresh (the log keeps them). */
  resetWrites(): void {
    this.#countFrom = this.log.mark();
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
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const write: WriteRecord | undefined = WRITES.has(method)
      ? this.log.record(method, url.pathname, new TextDecoder().decode(body ?? new Uint8Array()))
      : undefined;
    const watch = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
    const fault = this.#match(method, url.pathname, watch);
    const answer = fault ? answerFault(fault, watch) : await this.#forward(request, url, {
      watch,
      body,
    });
    if (write) {
      write.status = answer.status;
      write.faulted = fault !== undefined;
    }
    return answer;
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

  async #forward(
    request: Request,
    url: URL,
    { watch, body }: { watch: boolean; body?: Uint8Array<ArrayBuffer> },
  ): Promise<Response> {
    const abort = new AbortController();
    this.#inflight.add(abort);
    const headers = new Headers(request.headers);
    headers.delete("host");
    for (const [k, v] of Object.entries(this.#upstream.headers)) headers.set(k, v);
    try {
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
      return new Response(this.#relayWatch(answer.body, abort, url.pathname), {
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
  #relayWatch(source: ReadableStream<Uint8Array>, abort: AbortController, path: string) {
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
        this.#watches.set(controller, path);
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
  const upstream = await upstreamOf(kubeconfig);
  const proxy = new KubeFaultProxy(upstream.base, upstream);
  proxy.listen(0);
  proxy.kubeconfig = `${options.dir}/kubeconfig`;
  await writeProxyKubeconfig(proxy.kubeconfig, proxy.url);
  return proxy;
}
