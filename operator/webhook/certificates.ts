/**
 * The webhook's certificates: a self-signed CA and a server certificate it signs, kept in a
 * {@link CertificateStore} (a Secret through the kube client, mounted files, or memory in
 * tests) and renewed before they expire. Time comes from Effect's `Clock`, so tests drive
 * renewal with `TestClock`.
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import { Clock, Context, Data, Effect, Layer } from "effect";
import { issueCertificate, type PemPair } from "./x509.ts";

/** The CA and the server certificate it signed. */
export interface CertificateBundle {
  /** The CA; its certificate is the webhook configuration's `caBundle`. */
  readonly ca: PemPair;
  /** The server certificate (with its CA-signed chain of one) and key. */
  readonly server: PemPair;
}

/** Loading or saving certificates failed. */
export class CertificateStoreError extends Data.TaggedError("CertificateStoreError")<{
  readonly operation: "load" | "save";
  readonly where: string;
  readonly cause: unknown;
}> {
  override get message(): string {
    const detail = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return `Cannot ${this.operation} the webhook certificates in ${this.where}: ${detail}`;
  }
}

/**
 * Where certificates live between restarts and replicas. `load` returns undefined when
 * nothing is stored yet. `save` is a compare-and-swap: it stores the bundle unless another
 * replica stored one since this replica's last `load`, and returns the bundle stored now,
 * which the caller then serves. A Secret store does this with create (AlreadyExists) and
 * update with the loaded resourceVersion (Conflict), answering a lost race with a fresh get.
 */
export class CertificateStore extends Context.Service<CertificateStore, {
  /** Says where, for messages (e.g. `Secret "istio-system/aeraki-webhook-certs"`). */
  readonly where: string;
  /** The stored bundle, if any. */
  readonly load: Effect.Effect<CertificateBundle | undefined, CertificateStoreError>;
  /** Stores a bundle unless another was stored since the last load; returns the stored one. */
  readonly save: (
    bundle: CertificateBundle,
  ) => Effect.Effect<CertificateBundle, CertificateStoreError>;
}>()("aeraki/webhook/CertificateStore") {}

/** A store in memory, for tests; `saved` counts saves. */
export function certificateStoreMemory(initial?: CertificateBundle): {
  readonly layer: Layer.Layer<CertificateStore>;
  readonly current: () => CertificateBundle | undefined;
  readonly saved: () => number;
  /** Stores a bundle as another replica would. */
  readonly put: (bundle: CertificateBundle) => void;
} {
  let bundle = initial;
  let saves = 0;
  const layer = Layer.succeed(CertificateStore, {
    where: "memory",
    load: Effect.sync(() => bundle),
    save: (b) =>
      Effect.sync(() => {
        bundle = b;
        saves++;
        return b;
      }),
  });
  return { layer, current: () => bundle, saved: () => saves, put: (b) => void (bundle = b) };
}

const KEYS = { caCert: "ca.crt", caKey: "ca.key", cert: "tls.crt", key: "tls.key" } as const;

/** The bundle as Secret `data` (base64 values under `ca.crt`, `ca.key`, `tls.crt`, `tls.key`). */
export function bundleToSecretData(bundle: CertificateBundle): Record<string, string> {
  const b64 = (s: string) => btoa(s);
  return {
    [KEYS.caCert]: b64(bundle.ca.cert),
    [KEYS.caKey]: b64(bundle.ca.key),
    [KEYS.cert]: b64(bundle.server.cert),
    [KEYS.key]: b64(bundle.server.key),
  };
}

/** Reads Secret `data` written by {@link bundleToSecretData}; undefined when a key is missing. */
export function secretDataToBundle(
  data: Readonly<Record<string, string>> | undefined,
): CertificateBundle | undefined {
  const get = (k: string) => data?.[k] === undefined ? undefined : atob(data[k]);
  const [caCert, caKey, cert, key] = [KEYS.caCert, KEYS.caKey, KEYS.cert, KEYS.key].map(get);
  if (!caCert || !caKey || !cert || !key) return undefined;
  return { ca: { cert: caCert, key: caKey }, server: { cert, key } };
}

/** A store in a folder (`ca.crt`, `ca.key`, `tls.crt`, `tls.key`), such as a mounted Secret. */
export function certificateStoreFiles(dir: string): Layer.Layer<CertificateStore> {
  const where = `folder "${dir}"`;
  const path = (name: string) => `${dir}/${name}`;
  return Layer.succeed(CertificateStore, {
    where,
    load: Effect.tryPromise({
      try: async () => {
        const read = async (n: string) => {
          try {
            return await Deno.readTextFile(path(n));
          } catch (e) {
            if (e instanceof Deno.errors.NotFound) return undefined;
            throw e;
          }
        };
        const [caCert, caKey, cert, key] = await Promise.all(Object.values(KEYS).map(read));
        if (!caCert || !caKey || !cert || !key) return undefined;
        return { ca: { cert: caCert, key: caKey }, server: { cert, key } };
      },
      catch: (cause) => new CertificateStoreError({ operation: "load", where, cause }),
    }),
    save: (bundle) =>
      Effect.tryPromise({
        try: async () => {
          const files: Array<[string, string]> = [
            [KEYS.caCert, bundle.ca.cert],
            [KEYS.caKey, bundle.ca.key],
            [KEYS.cert, bundle.server.cert],
            [KEYS.key, bundle.server.key],
          ];
          for (const [name, text] of files) {
            await Deno.writeTextFile(`${path(name)}.tmp`, text, { mode: 0o600 });
            await Deno.rename(`${path(name)}.tmp`, path(name));
          }
          return bundle;
        },
        catch: (cause) => new CertificateStoreError({ operation: "save", where, cause }),
      }),
  });
}

/** How certificates are minted and when they are renewed. */
export interface CertificatePolicy {
  /** DNS names of the server certificate (the webhook Service's names). */
  readonly dnsNames: readonly string[];
  /** IPv4 names of the server certificate (a webhook URL by address). @default none */
  readonly ipAddresses?: readonly string[];
  /** CA lifetime in milliseconds. @default 10 years */
  readonly caValidityMs?: number;
  /** Server certificate lifetime in milliseconds. @default 1 year */
  readonly serverValidityMs?: number;
  /** Renew a certificate this long before it expires. @default 30 days */
  readonly renewBeforeMs?: number;
}

const DAY = 24 * 60 * 60 * 1000;

/** The DNS names upstream puts in the server certificate, for the Service `aeraki` in `ns`. */
export function webhookDnsNames(namespace: string, domain = "cluster.local"): string[] {
  return [
    "aeraki",
    `aeraki.${namespace}`,
    `aeraki.${namespace}.svc`,
    `aeraki.${namespace}.svc.${domain}`,
  ];
}

/** The outcome of {@link ensureCertificates}. */
export interface EnsuredCertificates {
  /** The bundle to serve. */
  readonly bundle: CertificateBundle;
  /** Whether it was minted now (and saved). */
  readonly renewed: boolean;
  /** When to call {@link ensureCertificates} again (epoch milliseconds). */
  readonly renewAt: number;
}

interface Validity {
  readonly notAfter: number;
  readonly names: readonly string[];
}

function validity(pem: string): Validity | undefined {
  try {
    const x = new X509Certificate(pem);
    const names = (x.subjectAltName ?? "").split(/,\s*/).map((n) =>
      n.replace(/^(DNS|IP Address):/, "")
    );
    return { notAfter: Date.parse(x.validTo), names };
  } catch {
    return undefined;
  }
}

function issuedBy(server: string, ca: string): boolean {
  try {
    const caCert = new X509Certificate(ca);
    const cert = new X509Certificate(server);
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey);
  } catch {
    return false;
  }
}

/**
 * Loads the stored bundle and keeps what is still good: the CA unless it expires within
 * `renewBeforeMs`, the server certificate unless it expires within `renewBeforeMs`, lacks a
 * DNS name of the policy or was not signed by the CA kept. Mints and saves what is not.
 * Unreadable stored certificates count as absent.
 */
export function ensureCertificates(
  policy: CertificatePolicy,
): Effect.Effect<EnsuredCertificates, CertificateStoreError, CertificateStore> {
  return Effect.gen(function* () {
    const store = yield* CertificateStore;
    const now = yield* Clock.currentTimeMillis;
    const renewBefore = policy.renewBeforeMs ?? 30 * DAY;
    const stored = yield* store.load;
    const fresh = (v: Validity | undefined) => v !== undefined && v.notAfter - renewBefore > now;
    const keepCa = stored !== undefined && fresh(validity(stored.ca.cert));
    const ca = keepCa ? stored.ca : issueCertificate({
      commonName: "Aeraki webhook CA",
      organization: "aeraki.net",
      isCa: true,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + (policy.caValidityMs ?? 3650 * DAY)),
    });
    const serverValidity = stored && validity(stored.server.cert);
    const keepServer = keepCa && fresh(serverValidity) &&
      [...policy.dnsNames, ...policy.ipAddresses ?? []].every((n) =>
        serverValidity!.names.includes(n)
      ) &&
      issuedBy(stored.server.cert, stored.ca.cert);
    const server = keepServer ? stored!.server : issueCertificate({
      commonName: policy.dnsNames[0] ?? "aeraki",
      organization: "aeraki.net",
      dnsNames: policy.dnsNames,
      ipAddresses: policy.ipAddresses,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + (policy.serverValidityMs ?? 365 * DAY)),
    }, { issuer: ca });
    const minted = { ca, server };
    // Another replica may have renewed at the same time: serve whatever won.
    const bundle = keepServer ? minted : yield* store.save(minted);
    const expiries = [bundle.ca.cert, bundle.server.cert].map((c) => validity(c)?.notAfter ?? now);
    return { bundle, renewed: !keepServer, renewAt: Math.min(...expiries) - renewBefore };
  });
}
