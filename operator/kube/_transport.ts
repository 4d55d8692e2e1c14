/**
 * Raw JSON requests through `@kubernetes/client-node`'s configured HTTP stack (TLS, token,
 * client certificate, exec and in-cluster auth from the kubeconfig), without its model
 * (de)serialization: objects stay the JSON the API server sent.
 */
import { HttpMethod, KubernetesObjectApi, type RequestContext } from "@kubernetes/client-node";

/** One request. */
export interface RawRequest {
  readonly method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** The answer: status and parsed JSON body (a string when it was not JSON). */
export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Sends raw requests with the configuration a KubeConfig makes. */
export class RawKubeApi extends KubernetesObjectApi {
  /** Sends one request; rejects only when no answer came. */
  async send(req: RawRequest): Promise<RawResponse> {
    const ctx: RequestContext = this.configuration.baseServer.makeRequestContext(
      req.path,
      HttpMethod[req.method],
    );
    ctx.setHeaderParam("Accept", "application/json");
    if (req.signal) ctx.setSignal(req.signal);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) ctx.setQueryParam(k, v);
    }
    if (req.body !== undefined) {
      ctx.setHeaderParam("Content-Type", req.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(req.body));
    }
    const auth = this.configuration.authMethods.default;
    if (auth?.applySecurityAuthentication) await auth.applySecurityAuthentication(ctx);
    for (const m of this.configuration.middleware) await m.pre(ctx).toPromise();
    const response = await this.configuration.httpApi.send(ctx).toPromise();
    const text = await response.body.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text: an error page or a proxy's answer is still worth a message
    }
    return { status: response.httpStatusCode, body };
  }
}
