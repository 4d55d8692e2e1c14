/**
 * The webhook in a cluster: its certificates kept in a Secret through the {@link KubeClient},
 * and the `ValidatingWebhookConfiguration` kept pointing at it with the CA it serves.
 *
 * Only the elected leader runs {@link keepWebhookRegistered}: one writer means the `caBundle`
 * never flaps between replicas that briefly hold different views of the CA (during a renewal,
 * before every replica has re-read the Secret), and a follower writes nothing at all. Every
 * replica serves reviews with the certificates stored in the Secret.
 *
 * @module
 */
import { Effect } from "effect";
import {
  backoff,
  KubeClient,
  type KubeClientShape,
  type KubeError,
  type KubeKind,
  type KubeObjectInput,
} from "../kube/mod.ts";
import type { CertificateBundle } from "./certificates.ts";
import { buildWebhookConfiguration, type WebhookConfigurationOptions } from "./configuration.ts";
import type { SecretApi, SecretObject } from "./secret_store.ts";

/** The core Secret kind. */
export const SECRET: KubeKind = {
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  namespaced: true,
};

/**
 * The {@link SecretApi} of `certificateStoreSecret` over the kube client. A first save
 * (no resourceVersion known) is a server-side apply without force under this replica's own
 * field manager, so when two replicas create the Secret at once the second gets a field
 * conflict (409) instead of overwriting the first; a later save names the resourceVersion it
 * read, so a stale one gets a 409 too. Both come back as `"conflict"`.
 */
export function kubeSecretApi(
  client: KubeClientShape,
  options: { readonly identity: string },
): SecretApi<KubeError> {
  const fieldManager = `aeraki-webhook-${options.identity}`.slice(0, 128);
  return {
    get: (ref) =>
      client.get(SECRET, ref).pipe(
        Effect.map((o): SecretObject | undefined => o as unknown as SecretObject),
        Effect.catchTag("KubeNotFoundError", () => Effect.succeed(undefined)),
      ),
    apply: (secret) =>
      client.apply(secret as unknown as KubeObjectInput, {
        fieldManager,
        force: secret.metadata.resourceVersion !== undefined,
      }).pipe(
        Effect.map((o): SecretObject | "conflict" => o as unknown as SecretObject),
        Effect.catchTag("KubeConflictError", () => Effect.succeed("conflict" as const)),
      ),
  };
}

/** Options of {@link keepWebhookRegistered}. */
export interface WebhookRegistrationOptions extends Omit<WebhookConfigurationOptions, "caCert"> {
  /** How often the served CA is compared with the registered one. @default 30 s */
  readonly checkMs?: number;
  /** Told after each successful write with the configuration's name. @default log */
  readonly onRegistered?: (name: string) => Effect.Effect<void>;
}

/**
 * Creates or updates (server-side apply, field manager `aeraki`) the webhook configuration
 * with the CA of `certificates`, then again whenever that CA changes (a renewal). A failed
 * write is logged and retried with backoff; this never fails and runs until interrupted.
 */
export function keepWebhookRegistered(
  certificates: Effect.Effect<CertificateBundle>,
  options: WebhookRegistrationOptions,
): Effect.Effect<never, never, KubeClient> {
  const { checkMs = 30_000, onRegistered, ...build } = options;
  return Effect.gen(function* () {
    const client = yield* KubeClient;
    let registered: string | undefined;
    while (true) {
      const ca = (yield* certificates).ca.cert;
      if (ca !== registered) {
        const config = buildWebhookConfiguration({ ...build, caCert: ca });
        yield* client.apply(config as unknown as KubeObjectInput).pipe(
          Effect.tapError((e) =>
            Effect.logWarning(
              `Cannot register ValidatingWebhookConfiguration "${config.metadata.name}": ` +
                `${e.message}; retrying`,
            )
          ),
          Effect.retry(backoff()),
          // The backoff never stops recurring, so this never fails.
          Effect.orDie,
        );
        registered = ca;
        yield* onRegistered?.(config.metadata.name) ?? Effect.logInfo(
          `Registered ValidatingWebhookConfiguration "${config.metadata.name}" with the ` +
            `webhook's CA`,
        );
      }
      yield* Effect.sleep(checkMs);
    }
  });
}
