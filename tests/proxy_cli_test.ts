/**
 * `aeraki proxy` end to end: validate mode on upstream's own configs, and serve mode running
 * upstream's thrift and global-ratelimit configs (addresses, ports and paths rewritten in
 * memory) with the npm `thrift` library's client and server, a grpc-js rate-limit service,
 * the admin server and access logs.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { connectClient, STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import { memoryIo } from "../operator/cli/command.ts";
import { main } from "../operator/cli/main.ts";
import { startHttp2RateLimitServer } from "../proxy/ratelimit/_test_server.ts";

const DIR = new URL("./fixtures/upstream_proxy/", import.meta.url).pathname;
const STACK = STACKS[0]; // framed/binary, as upstream's thrift sample

/** Aeraki's default access-log format (data-plane spec §6.2). */
const AERAKI_FORMAT =
  "[%START_TIME%] %REQ(X-META-PROTOCOL-APPLICATION-PROTOCOL)% %RESPONSE_CODE% " +
  '%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" ' +
  '%BYTES_RECEIVED% %BYTES_SENT% %DURATION%  "%REQ(X-FORWARDED-FOR)%" "%REQ(X-REQUEST-ID)%" ' +
  "%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %ROUTE_NAME%\n";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

Deno.test("aeraki proxy --mode validate accepts upstream's configs like envoy --mode validate", async () => {
  const io = memoryIo();
  assert.equal(await main(["proxy", "-c", DIR + "dubbo.yaml", "--mode", "validate"], io), 0);
  assert.equal(
    io.stdout(),
    "Ignored (no effect on this proxy):\n" +
      `  ${DIR}dubbo.yaml: admin.access_log_path: admin requests are not access-logged\n` +
      `  ${DIR}dubbo.yaml: stats_config: stats are kept under their full names; no tags, sinks or matchers\n` +
      `configuration '${DIR}dubbo.yaml' OK\n`,
  );
  const bad = memoryIo();
  assert.equal(await main(["proxy", "-c", DIR + "idle_timeout.yaml", "--mode=validate"], bad), 1);
  assert.match(
    bad.stderr(),
    /typed_config\.codec: Cannot find codec "aeraki\.meta_protocol\.codec\.brpc"/,
  );
  assert.match(
    bad.stderr(),
    /configuration '.*idle_timeout\.yaml' is not valid: 1 problem\(s\)\n$/,
  );
});

Deno.test("aeraki proxy refuses bad arguments with exit code 2", async () => {
  for (
    const args of [["proxy"], ["proxy", "-c", "x", "--mode", "dry"], [
      "proxy",
      "-c",
      "x",
      "--concurrency",
      "0",
    ], ["proxy", "--bogus"]]
  ) {
    const io = memoryIo();
    assert.equal(await main(args, io), 2, args.join(" "));
    assert.match(io.stderr(), /^Cannot /);
  }
});

/** Rewrites a fixture for this machine: loopback, free ports, endpoints and paths given. */
async function rewrite(
  name: string,
  endpoints: Record<string, number>,
  accessLog?: unknown,
): Promise<string> {
  const b = parse(await Deno.readTextFile(DIR + name)) as Json;
  b.admin.address.socket_address.port_value = 0;
  const listeners = [b.static_resources.listeners].flat();
  for (const l of listeners) {
    l.address.socket_address = { address: "127.0.0.1", port_value: 0 };
    for (const f of [l.filter_chains[0].filters].flat()) {
      // Not a change to the fixture's meaning: this test adds a logger to check the log.
      if (accessLog) f.typed_config.access_log = [accessLog];
    }
  }
  for (const l of listeners) {
    for (const f of l.filter_chains[0].filters[0].typed_config.metaProtocolFilters ?? []) {
      // The filter's deadline defaults to 20 ms; on a loaded test machine a first gRPC call
      // can take longer, so the outcome would depend on timing. Give it room.
      if (f.config?.domain) f.config.timeout = "5s";
    }
  }
  for (const c of [b.static_resources.clusters].flat()) {
    const port = endpoints[c.name];
    if (port !== undefined) {
      c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value =
        port;
    }
  }
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(b));
  return file;
}

/** Starts `aeraki proxy -c file` and waits for its ports. */
async function serve(file: string) {
  const io = memoryIo();
  const exit = main(["proxy", "-c", file], io);
  for (let i = 0; i < 500 && !/admin on port \d+/.test(io.stdout()); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const port = Number(/listener "[^"]+" on port (\d+)/.exec(io.stdout())?.[1]);
  const admin = Number(/admin on port (\d+)/.exec(io.stdout())?.[1]);
  assert.ok(port > 0 && admin > 0, `proxy did not start: ${io.stdout()} ${io.stderr()}`);
  const get = async (path: string, method = "GET") => {
    const res = await fetch(`http://127.0.0.1:${admin}${path}`, { method });
    return { status: res.status, body: await res.text() };
  };
  return { io, exit, port, get };
}

Deno.test("aeraki proxy serves upstream's thrift config: real thrift calls, admin paths, access log, drain", async () => {
  const server = await startServer(STACK, {
    sayHello: (req, result) => result(null, `hello ${req?.name}`),
    ping: () => {},
  });
  const dir = await Deno.makeTempDir();
  const file = await rewrite("thrift.yaml", {
    "outbound|9090||thrift-sample-server.thrift.svc.cluster.local": server.port,
  }, {
    name: "envoy.access_loggers.file",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
      path: `${dir}/access.log`,
      log_format: { text_format_source: { inline_string: AERAKI_FORMAT } },
    },
  });
  const p = await serve(file);
  const { client, close } = await connectClient(STACK, p.port);
  try {
    assert.equal(await client.sayHello(new Req({ name: "aeraki" })), "hello aeraki");
    assert.equal(await client.sayHello(new Req({ name: "deno" })), "hello deno");
    assert.deepEqual(await p.get("/ready"), { status: 200, body: "LIVE\n" });
    const stats = (await p.get("/stats")).body;
    assert.match(
      stats,
      /^meta_protocol\.thrift\.outbound\|9090\|\|thrift-sample-server\.thrift\.svc\.cluster\.local\.response_success: 2$/m,
    );
    const prom = (await p.get("/stats/prometheus")).body;
    assert.match(prom, /^# TYPE envoy_meta_protocol_request counter$/m);
    assert.match(
      prom,
      /^envoy_meta_protocol_request\{meta_protocol="thrift",meta_protocol_stat_prefix="outbound\|9090\|\|thrift-sample-server\.thrift\.svc\.cluster\.local"\} 2$/m,
    );
    assert.match(
      prom,
      /^envoy_cluster_upstream_rq_total\{envoy_cluster_name="outbound\|9090\|\|thrift-sample-server\.thrift\.svc\.cluster\.local"\} 2$/m,
    );
    const clusters = (await p.get("/clusters")).body;
    assert.match(
      clusters,
      new RegExp(`::127\\.0\\.0\\.1:${server.port}::health_flags::healthy$`, "m"),
    );
    const dump = JSON.parse((await p.get("/config_dump")).body);
    const routes = dump.configs.find((c: Json) => c["@type"].endsWith("RoutesConfigDump"));
    assert.equal(routes.static_route_configs[0].route_config.routes[0].name, "default");
    assert.equal((await p.get("/quitquitquit")).status, 405);
    assert.equal((await p.get("/quitquitquit", "POST")).body, "OK\n");
    assert.equal(await p.exit, 0);
    assert.match(p.io.stdout(), /drained\n$/);
    const log = await Deno.readTextFile(`${dir}/access.log`);
    const lines = log.trim().split("\n");
    assert.equal(lines.length, 2);
    // Upstream's default-style format, %ROUTE_NAME% filled (upstream's is empty).
    assert.match(
      lines[0],
      /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] thrift 0 - - "-" \d+ \d+ \d+ {2}"-" "[0-9a-f-]+" outbound\|9090\|\|thrift-sample-server\.thrift\.svc\.cluster\.local \S+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ default$/,
    );
  } finally {
    await close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(file);
  }
});

Deno.test("aeraki proxy serves upstream's global-ratelimit config against a gRPC rate-limit service", async () => {
  const server = await startServer(STACK, {
    sayHello: (req, result) => result(null, `hello ${req?.name}`),
    ping: () => {},
  });
  let allowed = 2;
  let up = true;
  const limiter = await startHttp2RateLimitServer(
    () => (!up ? "UNAVAILABLE" : allowed-- > 0 ? "OK" : "OVER_LIMIT"),
  );
  const file = await rewrite("global-ratelimit.yaml", {
    "outbound|9090||thrift-sample-server.thrift.svc.cluster.local": server.port,
    ratelimit: limiter.port,
  });
  const p = await serve(file);
  const { client, close } = await connectClient(STACK, p.port);
  try {
    assert.equal(await client.sayHello(new Req({ name: "a" })), "hello a");
    assert.equal(await client.sayHello(new Req({ name: "b" })), "hello b");
    await assert.rejects(client.sayHello(new Req({ name: "c" })), /rate limit/i);
    assert.deepEqual(limiter.requests[0], {
      domain: "production",
      descriptors: [{ entries: [{ key: "method", value: "sayHello" }] }],
    });
    // failure_mode_deny: true — when the service fails, calls are refused, not hung.
    up = false;
    await assert.rejects(client.sayHello(new Req({ name: "d" })), /rate limit/i);
  } finally {
    await close();
    await (await p.get("/quitquitquit", "POST")).body;
    assert.equal(await p.exit, 0);
    // Only now: closing an HTTP/2 server under a live gRPC channel can crash Deno's nghttp2.
    await limiter.close();
    await server.close();
    await Deno.remove(file);
  }
});

Deno.test("every loadable upstream config starts, answers /ready and drains", async () => {
  for (
    const name of [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".yaml"))
      .sort()
  ) {
    if (name === "idle_timeout.yaml" || name === "global-ratelimit-service.yaml") continue;
    const b = parse(await Deno.readTextFile(DIR + name), { uniqueKeys: false }) as Json;
    b.admin.address.socket_address.port_value = 0;
    for (const l of [b.static_resources.listeners].flat()) {
      l.address.socket_address = { address: "127.0.0.1", port_value: 0 };
    }
    const file = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(file, JSON.stringify(b));
    const p = await serve(file);
    try {
      assert.deepEqual(await p.get("/ready"), { status: 200, body: "LIVE\n" }, name);
      await p.get("/quitquitquit", "POST");
      assert.equal(await p.exit, 0, name);
    } finally {
      await Deno.remove(file);
    }
  }
});

Deno.test("aeraki proxy drains and exits 0 on SIGTERM (a real process)", async () => {
  const b = parse(await Deno.readTextFile(DIR + "thrift.yaml")) as Json;
  b.admin.address.socket_address.port_value = 0;
  b.static_resources.listeners.address.socket_address = { address: "127.0.0.1", port_value: 0 };
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(b));
  const main = new URL("../operator/cli/main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", main, "proxy", "-c", file],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    while (!/admin on port \d+/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.match(out, /listener "listener_meta_protocol" on port \d+/);
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.match(out, /drained\n$/);
    assert.match(
      new TextDecoder().decode((await new Response(child.stderr).arrayBuffer()) as ArrayBuffer),
      /Draining/,
    );
  } finally {
    await Deno.remove(file);
  }
});
