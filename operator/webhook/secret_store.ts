/**
 * A {@link CertificateStore} in a Kubernetes Secret, over the two calls it needs from a kube
 * client (the operator's `KubeClient` `get` and server-side `apply` fit): `load` remembers the
 * Secret's resourceVersion, `save` applies with it as a precondition, and a conflict (another
 * replica saved first) is answered by reading and returning what that replica stored.
 *
 * @module
 */
import { Effect, Layer } from "effect";
import {
  bundleToSecretData,
  type CertificateBundle,
  CertificateStore,
  CertificateStoreError,
  secretDataToBundle,
} from "./certificates.ts";

/** A Secret as the store reads and writes it. */
export interface SecretObject {
  readonly apiVersion: "v1";
  readonly kind: "Secret";
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** What the store needs from the Kubernetes API. */
export interface SecretApi<E> {
  /** Reads the Secret; undefined when it does not exist. */
  readonly get: (
    ref: { namespace: string; name: string },
  ) => Effect.Effect<SecretObject | undefined, E>;
  /**
   * Server-side applies the Secret. With `metadata.resourceVersion` set the write must fail
   * when the Secret changed since (HTTP 409): answer `"conflict"` then.
   */
  readonly apply: (secret: SecretObject) => Effect.Effect<SecretObject | "conflict", E>;
}

/** Options of {@link certificateStoreSecret}. */
export interface SecretStoreOptions {
  /** The Secret's namespace (the operator's). */
  readonly namespace: string;
  /** The Secret's name. @default "aeraki-webhook-certs" */
  readonly name?: string;
}

/** The webhook certificates in Secret `namespace/name` (keys `ca.crt`, `ca.key`, `tls.crt`, `tls.key`). */
export function certificateStoreSecret<E>(
  api: SecretApi<E>,
  options: SecretStoreOptions,
): Layer.Layer<CertificateStore> {
  const ref = { namespace: options.namespace, name: options.name ?? "aeraki-webhook-certs" };
  const where = `Secret "${ref.namespace}/${ref.name}"`;
  let resourceVersion: string | undefined;
  const fail = (operation: "load" | "save") => (cause: E) =>
    new CertificateStoreError({ operation, where, cause });
  const read = Effect.map(api.get(ref), (secret) => {
    resourceVersion = secret?.metadata.resourceVersion;
    return secretDataToBundle(secret?.data);
  });
  const save = (bundle: CertificateBundle) =>
    Effect.gen(function* () {
      const written = yield* api.apply({
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          ...ref,
          labels: { manager: "Aeraki" },
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        },
        type: "Opaque",
        data: bundleToSecretData(bundle),
      });
      if (written !== "conflict") {
        resourceVersion = written.metadata.resourceVersion;
        return bundle;
      }
      // Another replica saved first: serve what it stored (ours if that is unreadable).
      return (yield* read) ?? bundle;
    });
  return Layer.succeed(CertificateStore, {
    where,
    load: Effect.mapError(read, fail("load")),
    save: (bundle) => Effect.mapError(save(bundle), fail("save")),
  });
}
