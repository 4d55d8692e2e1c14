/**
 * The webhook as `aeraki operator` runs it: served by every replica with certificates from a
 * folder (a mounted Secret) or kept in a Secret through the kube client, and registered by the
 * leader, at a URL or at the operator's Service.
 *
 * @module
 */
import { Effect, type Scope } from "effect";
import { KubeClient } from "../kube/mod.ts";
import {
  type CertificateStoreError,
  certificateStoreFiles,
  webhookDnsNames,
} from "./certificates.ts";
import { certificateStoreSecret } from "./secret_store.ts";
import { parseMatchLabels } from "./configuration.ts";
import { keepWebhookRegistered, kubeSecretApi } from "./registration.ts";
import { serveWebhook, type WebhookListenError, type WebhookServer } from "./server.ts";

/** Where the webhook listens, where its certificates live and how it is registered. */
export interface ClusterWebhookOptions {
  /** The HTTPS port. */
  readonly port: number;
  /** The operator's namespace: its Service, its certificates' Secret. */
  readonly namespace: string;
  /** Whether this process runs in a pod (so the API server reaches it through the Service). */
  readonly inPod: boolean;
  /** The cluster's DNS domain, for the certificate's names. */
  readonly domain: string;
  /** This replica's identity (its field manager on the Secret). */
  readonly identity: string;
  /** A folder of `ca.crt`, `ca.key`, `tls.crt`, `tls.key` (minted when absent). */
  readonly certDir?: string;
  /** The Secret keeping the certificates (when there is no folder). */
  readonly secret?: string;
  /** The URL the API server calls instead of the Service. */
  readonly url?: string;
  /** `key=value,...` labels of the namespaces whose MetaRouters are reviewed. */
  readonly namespaceSelector?: string;
}

/**
 * Serves `/validate` over HTTPS with certificates from `--webhook-cert-dir` (a mounted Secret
 * or a volume) or kept in the Secret `--webhook-secret`; neither means no webhook.
 */
export function startClusterWebhook(
  options: ClusterWebhookOptions,
): Effect.Effect<
  WebhookServer | undefined,
  Error | CertificateStoreError | WebhookListenError,
  Scope.Scope | KubeClient
> {
  return Effect.gen(function* () {
    const dir = options.certDir;
    const namespace = options.namespace;
    if (dir === undefined && options.secret === undefined) {
      yield* Effect.logInfo(
        `Not serving the admission webhook: set "--webhook-secret" or "--webhook-cert-dir"`,
      );
      return undefined;
    }
    if (dir !== undefined) {
      yield* Effect.tryPromise({
        try: () => Deno.mkdir(dir, { recursive: true }),
        catch: (e) =>
          new Error(`Cannot create the webhook certificate folder "${dir}": ${String(e)}`),
      });
    }
    const client = yield* KubeClient;
    const store = dir !== undefined
      ? certificateStoreFiles(dir)
      : certificateStoreSecret(kubeSecretApi(client, { identity: options.identity }), {
        namespace,
        name: options.secret,
      });
    const urlHost = options.url === undefined ? undefined : new URL(options.url).hostname;
    const isIp = urlHost !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(urlHost);
    const server = yield* Effect.provide(
      serveWebhook({
        port: options.port,
        certificates: {
          dnsNames: [
            ...webhookDnsNames(namespace, options.domain),
            "localhost",
            ...(urlHost !== undefined && !isIp ? [urlHost] : []),
          ],
          ipAddresses: isIp ? [urlHost] : [],
        },
      }),
      store,
    );
    yield* Effect.logInfo(
      `Serving the admission webhook on port ${server.port} with certificates in ${
        dir !== undefined ? `"${dir}"` : `Secret "${namespace}/${options.secret}"`
      }`,
    );
    return server;
  });
}

/**
 * The leader keeps the ValidatingWebhookConfiguration pointing at the webhook: at the URL of
 * `--webhook-url`, or at the Service when running in a pod. Outside a pod without a URL the
 * API server could not reach this process, so registering would only refuse MetaRouter writes.
 */
export function webhookRegistration(
  webhook: WebhookServer | undefined,
  options: ClusterWebhookOptions,
): Effect.Effect<never, never, KubeClient>[] {
  if (webhook === undefined) return [];
  if (options.url === undefined && !options.inPod) {
    return [Effect.andThen(
      Effect.logInfo(
        `Not registering the admission webhook: outside a pod, set "--webhook-url" to where ` +
          `the API server can call it`,
      ),
      Effect.never,
    )];
  }
  const selector = options.namespaceSelector === undefined
    ? undefined
    : parseMatchLabels(options.namespaceSelector);
  if (selector !== undefined && "problem" in selector) {
    return [Effect.die(new Error(`Cannot read the namespace selector: ${selector.problem}`))];
  }
  return [keepWebhookRegistered(webhook.certificates, {
    namespace: options.namespace,
    url: options.url,
    namespaceSelector: selector,
  })];
}
