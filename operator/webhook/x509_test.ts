import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { time } from "./_der.ts";
import { issueCertificate, pemBody, subjectNameDer } from "./x509.ts";

const ca = issueCertificate({
  commonName: "Aeraki webhook CA",
  organization: "aeraki.net",
  isCa: true,
  notBefore: new Date("2026-01-01T00:00:00Z"),
  notAfter: new Date("2036-01-01T00:00:00Z"),
});

Deno.test("issueCertificate() mints a self-signed CA that node:crypto reads back", () => {
  const x = new X509Certificate(ca.cert);
  assert.equal(x.subject, "O=aeraki.net\nCN=Aeraki webhook CA");
  assert.equal(x.issuer, x.subject);
  assert.equal(x.ca, true);
  assert.ok(x.verify(x.publicKey), "self-signature verifies");
  assert.equal(new Date(x.validFrom).toISOString(), "2026-01-01T00:00:00.000Z");
  assert.equal(new Date(x.validTo).toISOString(), "2036-01-01T00:00:00.000Z");
  assert.match(ca.key, /^-----BEGIN PRIVATE KEY-----\n/);
});

Deno.test("issueCertificate() signs a server certificate with names, usages and a fresh serial", () => {
  const req = {
    commonName: "aeraki.istio-system.svc",
    dnsNames: ["aeraki", "aeraki.istio-system.svc"],
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2051-06-01T00:00:00Z"), // past 2049: GeneralizedTime
  };
  const a = new X509Certificate(issueCertificate(req, { issuer: ca }).cert);
  const b = new X509Certificate(issueCertificate(req, { issuer: ca }).cert);
  const caX = new X509Certificate(ca.cert);
  assert.ok(a.checkIssued(caX));
  assert.ok(a.verify(caX.publicKey));
  assert.equal(a.ca, false);
  assert.equal(a.subjectAltName, "DNS:aeraki, DNS:aeraki.istio-system.svc");
  assert.equal(a.checkHost("aeraki.istio-system.svc"), "aeraki.istio-system.svc");
  assert.equal(a.checkHost("other.example"), undefined);
  assert.deepEqual(a.keyUsage, ["DigitalSignature"]);
  assert.equal(new Date(a.validTo).toISOString(), "2051-06-01T00:00:00.000Z");
  assert.notEqual(a.serialNumber, b.serialNumber);
  assert.ok(
    !a.verify(new X509Certificate(issueCertificate({ ...req, isCa: true }).cert).publicKey),
  );
});

Deno.test("subjectNameDer() repeats the issuer's subject byte for byte", () => {
  const leaf = issueCertificate({
    commonName: "x",
    notBefore: new Date("2026-01-01"),
    notAfter: new Date("2027-01-01"),
  }, { issuer: ca });
  const caSubject = subjectNameDer(ca.cert);
  const der = pemBody(leaf.cert);
  const at = der.findIndex((_, i) => caSubject.every((byte, j) => der[i + j] === byte));
  assert.ok(at > 0, "the leaf's issuer field holds the CA's subject DER");
  assert.throws(
    () => subjectNameDer("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
    /Cannot read the issuer certificate/,
  );
});

Deno.test("time() writes UTCTime through 2049 and GeneralizedTime after", () => {
  const text = (d: string) => new TextDecoder().decode(time(new Date(d)).subarray(2));
  assert.equal(text("2049-12-31T23:59:59Z"), "491231235959Z");
  assert.equal(time(new Date("2049-12-31T23:59:59Z"))[0], 0x17);
  assert.equal(text("2050-01-01T00:00:00Z"), "20500101000000Z");
  assert.equal(time(new Date("2050-01-01T00:00:00Z"))[0], 0x18);
});

Deno.test("issueCertificate() names IPv4 addresses for a server called by address", () => {
  const cert = issueCertificate({
    commonName: "localhost",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2027-01-01T00:00:00Z"),
  }, { issuer: ca });
  const x = new X509Certificate(cert.cert);
  assert.equal(x.subjectAltName, "DNS:localhost, IP Address:127.0.0.1");
  assert.equal(x.checkIP("127.0.0.1"), "127.0.0.1");
  assert.throws(
    () =>
      issueCertificate({
        commonName: "x",
        ipAddresses: ["::1"],
        notBefore: new Date(0),
        notAfter: new Date(1),
      }),
    /Cannot put the address "::1" in a certificate: write it as IPv4/,
  );
});
