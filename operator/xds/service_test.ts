import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import { Effect, Layer } from "effect";
import { ROUTE_CONFIGURATION_TYPE_URL } from "../../proto/mod.ts";
import { XdsTestClient } from "../../tests/xds_client.ts";
import { XdsCache, XdsCacheLive, XdsServer, XdsServerError, XdsServerLive } from "./service.ts";
import type { XdsTlsOptions } from "./grpc_server.ts";

const ROUTES = {
  routeConfigurations: [{
    name: "a_9090",
    virtualHosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{ match: { prefix: "/" }, route: { cluster: "c" } }],
    }],
  }],
};

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A throwaway CA and a certificate it signs for `cn` (with SANs). */
async function issue(dir: string, ca: string, cn: string, san?: string): Promise<void> {
  await openssl(
    dir,
    "req",
    ...EC,
    "-keyout",
    `${cn}.key`,
    "-out",
    `${cn}.csr`,
    "-subj",
    `/CN=${cn}`,
  );
  // Extensions make a v3 certificate: rustls (Deno's TLS) refuses v1 ones.
  const usage = san ? "serverAuth" : "clientAuth";
  const ext = `basicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n${
    san ? `subjectAltName=${san}\n` : ""
  }`;
  await Deno.writeTextFile(`${dir}/${cn}.ext`, ext);
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${cn}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${cn}.crt`,
    "-days",
    "1",
    "-extfile",
    `${cn}.ext`,
  );
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "1",
    "-subj",
    `/CN=${name}`,
  );
}

function read(dir: string, file: string): Buffer {
  return Buffer.from(Deno.readFileSync(`${dir}/${file}`));
}

function clientCreds(dir: string, client?: string): grpc.ChannelCredentials {
  const ca = read(dir, "ca.crt");
  if (!client) return grpc.credentials.createSsl(ca);
  return grpc.credentials.createSsl(ca, read(dir, `${client}.key`), read(dir, `${client}.crt`));
}

async function fetchRoutes(port: number, credentials?: grpc.ChannelCredentials) {
  // Deno's TLS refuses an IP address as server name: connect by name.
  const client = new XdsTestClient(`localhost:${port}`, credentials ? { credentials } : {});
  const stream = client.routes();
  try {
    return await stream.exchange({ node: { id: "proxy-1" }, resource_names: ["a_9090"] });
  } finally {
    stream.close();
    client.close();
  }
}

function run<A, E>(
  tls: XdsTlsOptions | undefined,
  program: Effect.Effect<A, E, XdsCache | XdsServer>,
) {
  const layer = XdsServerLive({ host: "127.0.0.1", port: 0, ...(tls ? { tls } : {}) }).pipe(
    Layer.provideMerge(XdsCacheLive),
  );
  return Effect.runPromise(Effect.provide(program, layer));
}

Deno.test("XdsServerLive serves mutual TLS only to clients with a certificate of the CA", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await makeCa(dir, "ca");
    await makeCa(dir, "other-ca");
    await issue(dir, "ca", "aeraki", "DNS:localhost,DNS:aeraki.istio-system,IP:127.0.0.1");
    await issue(dir, "ca", "proxy");
    await issue(dir, "other-ca", "stranger");
    const tls = {
      cert: read(dir, "aeraki.crt"),
      key: read(dir, "aeraki.key"),
      clientCa: read(dir, "ca.crt"),
    };
    const port = await run(
      tls,
      Effect.gen(function* () {
        const cache = yield* XdsCache;
        const { port } = yield* XdsServer;
        yield* cache.publish(ROUTES);
        const ok = yield* Effect.promise(() => fetchRoutes(port, clientCreds(dir, "proxy")));
        assert.equal(ok.type_url, ROUTE_CONFIGURATION_TYPE_URL);
        assert.equal(ok.resources.length, 1);
        for (
          const creds of [
            clientCreds(dir),
            clientCreds(dir, "stranger"),
            grpc.credentials.createInsecure(),
          ]
        ) {
          const refused = yield* Effect.promise(() =>
            fetchRoutes(port, creds).then(() => "served", (e) => e.code)
          );
          assert.equal(refused, grpc.status.UNAVAILABLE);
        }
        const status = yield* cache.status;
        assert.ok(status.pushes >= 1);
        return port;
      }),
    );
    // The scope closed: the server is gone.
    const after = await fetchRoutes(port, clientCreds(dir, "proxy")).then(
      () => "served",
      (e) => e.code,
    );
    assert.equal(after, grpc.status.UNAVAILABLE);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("XdsServerLive fails with XdsServerError when the port is taken", async () => {
  const result = await run(
    undefined,
    Effect.gen(function* () {
      const { port } = yield* XdsServer;
      const second = XdsServerLive({ host: "127.0.0.1", port }).pipe(Layer.provide(XdsCacheLive));
      const port2 = Effect.gen(function* () {
        return (yield* XdsServer).port;
      });
      return yield* Effect.flip(Effect.provide(port2, second));
    }),
  );
  assert.ok(result instanceof XdsServerError);
  assert.match(result.message, /^Cannot start the xDS server on "127\.0\.0\.1:\d+": /);
});
