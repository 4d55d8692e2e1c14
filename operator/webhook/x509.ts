/**
 * A small X.509 v3 writer (RFC 5280) over `node:crypto` keys and signatures: enough to mint
 * the operator's self-signed CA and the webhook's server certificate without `openssl`.
 * Keys are ECDSA P-256, signatures ecdsa-with-SHA256.
 *
 * @module
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import {
  ascii,
  bitString,
  boolean,
  children,
  explicit,
  integer,
  namedBits,
  nul,
  octetString,
  oid,
  readTlv,
  sequence,
  set,
  time,
  tlv,
  utf8,
} from "./_der.ts";

const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const RSA_SHA256 = "1.2.840.113549.1.1.11";
const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  /** The certificate, PEM (`-----BEGIN CERTIFICATE-----`). */
  readonly cert: string;
  /** The private key, PKCS#8 PEM. */
  readonly key: string;
}

/** Subject and validity of a certificate to issue. */
export interface CertificateRequest {
  /** Subject common name. */
  readonly commonName: string;
  /** Subject organization. @default none */
  readonly organization?: string;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** DNS subject alternative names (a server certificate needs them). @default none */
  readonly dnsNames?: readonly string[];
  /** IPv4 subject alternative names (a server called by address, like `127.0.0.1`). @default none */
  readonly ipAddresses?: readonly string[];
  /** Whether the certificate is a CA that signs others. @default false */
  readonly isCa?: boolean;
}

function name(commonName: string, organization?: string): Uint8Array {
  const rdn = (type: string, value: string) => set(sequence(oid(type), utf8(value)));
  return sequence(
    ...(organization === undefined ? [] : [rdn(OID.organization, organization)]),
    rdn(OID.commonName, commonName),
  );
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
}

/** The key identifier of RFC 5280 §4.2.1.2 (1): SHA-1 of the public key's bits. */
function keyId(spkiDer: Uint8Array): Uint8Array {
  const outer = readTlv(spkiDer, 0);
  const bits = outer && children(spkiDer, outer)[1];
  const keyBits = bits ? spkiDer.subarray(bits.start + 1, bits.end) : spkiDer;
  return new Uint8Array(createHash("sha1").update(keyBits).digest());
}

/** The DER of a certificate's subject Name, as an issuer field must repeat it byte for byte. */
export function subjectNameDer(certPem: string): Uint8Array {
  const der = pemBody(certPem);
  const cert = readTlv(der, 0);
  const tbs = cert && children(der, cert)[0];
  const fields = tbs ? children(der, tbs) : [];
  // version [0], serial, signature algorithm, issuer, validity, subject
  const subject = fields[0]?.tag === 0xa0 ? fields[5] : fields[4];
  if (!subject) throw new TypeError("Cannot read the issuer certificate: not an X.509 certificate");
  return der.slice(subject.offset, subject.end);
}

/** The DER bytes of the first PEM block. */
export function pemBody(text: string): Uint8Array {
  const block = /-----BEGIN [A-Z0-9 ]+-----([^-]*)-----END/.exec(text);
  const b64 = (block ? block[1] : "").replace(/\s+/g, "");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function extensions(
  req: CertificateRequest,
  subjectKey: Uint8Array,
  issuerKey: Uint8Array,
): Uint8Array {
  const list = [
    extension(OID.basicConstraints, true, sequence(...(req.isCa ? [boolean(true)] : []))),
    // CA: keyCertSign (5) and cRLSign (6); leaf: digitalSignature (0).
    extension(OID.keyUsage, true, namedBits(req.isCa ? [5, 6] : [0])),
    extension(OID.subjectKeyId, false, octetString(keyId(subjectKey))),
    extension(OID.authorityKeyId, false, sequence(tlv(0x80, keyId(issuerKey)))),
  ];
  if (!req.isCa) {
    list.push(
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
    );
  }
  const altNames = [
    ...(req.dnsNames ?? []).map((d) => ascii(0x82, d)),
    ...(req.ipAddresses ?? []).map((ip) => tlv(0x87, ipv4Bytes(ip))),
  ];
  if (altNames.length > 0) {
    list.push(extension(OID.subjectAltName, false, sequence(...altNames)));
  }
  return explicit(3, sequence(...list));
}

function ipv4Bytes(ip: string): Uint8Array {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`Cannot put the address "${ip}" in a certificate: write it as IPv4`);
  }
  return new Uint8Array(parts);
}

function pem(label: string, der: Uint8Array): string {
  const b64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A new ECDSA P-256 private key, PKCS#8 PEM. */
export function newPrivateKey(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Options of {@link issueCertificate}. */
export interface IssueOptions {
  /** The issuer's certificate and key; absent for a self-signed certificate. */
  readonly issuer?: PemPair;
  /** The subject's private key (PEM). @default a new P-256 key */
  readonly key?: string;
}

/**
 * Issues an X.509 v3 certificate for `req`, signed by `options.issuer` (or self-signed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { X509Certificate } from "node:crypto";
 * import { issueCertificate } from "./x509.ts";
 * const ca = issueCertificate({
 *   commonName: "Aeraki CA", isCa: true,
 *   notBefore: new Date("2026-01-01"), notAfter: new Date("2036-01-01"),
 * });
 * const x = new X509Certificate(ca.cert);
 * assert.equal(x.subject, "CN=Aeraki CA");
 * assert.ok(x.ca);
 * ```
 */
export function issueCertificate(req: CertificateRequest, options: IssueOptions = {}): PemPair {
  const key = options.key ?? newPrivateKey();
  const subjectKey = spki(createPrivateKey(key));
  const issuerKeyPem = options.issuer?.key ?? key;
  const issuerKey = spki(createPrivateKey(issuerKeyPem));
  const issuerName = options.issuer
    ? subjectNameDer(options.issuer.cert)
    : name(req.commonName, req.organization);
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const signer = createPrivateKey(issuerKeyPem);
  // ECDSA algorithm identifiers carry no parameters; RSA ones a NULL (RFC 5758, RFC 4055).
  const algorithm = signer.asymmetricKeyType === "rsa"
    ? sequence(oid(RSA_SHA256), nul())
    : sequence(oid(ECDSA_SHA256));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    issuerName,
    sequence(time(req.notBefore), time(req.notAfter)),
    name(req.commonName, req.organization),
    subjectKey,
    extensions(req, subjectKey, issuerKey),
  );
  const signature = new Uint8Array(sign("sha256", tbs, signer));
  return { cert: pem("CERTIFICATE", sequence(tbs, algorithm, bitString(signature))), key };
}
