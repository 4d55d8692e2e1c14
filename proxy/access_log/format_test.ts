import assert from "node:assert/strict";
import { assertGolden } from "../../tests/golden.ts";
import type { AccessLogEntry } from "../config/model.ts";
import { compileFormat, type Formatter } from "./format.ts";
import type { LogFormat } from "./config.ts";

/** Aeraki's default access-log format (data-plane spec §6.2). */
const AERAKI_TEXT = "[%START_TIME%] %REQ(X-META-PROTOCOL-APPLICATION-PROTOCOL)% %RESPONSE_CODE% " +
  '%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" ' +
  '%BYTES_RECEIVED% %BYTES_SENT% %DURATION%  "%REQ(X-FORWARDED-FOR)%" "%REQ(X-REQUEST-ID)%" ' +
  "%UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% " +
  "%DOWNSTREAM_REMOTE_ADDRESS% %ROUTE_NAME%\n";

/** Aeraki's default JSON keys (spec §6.2). */
const AERAKI_JSON = {
  start_time: "%START_TIME%",
  route_name: "%ROUTE_NAME%",
  application_protocol: "%REQ(X-META-PROTOCOL-APPLICATION-PROTOCOL)%",
  response_code: "%RESPONSE_CODE%",
  response_code_details: "%RESPONSE_CODE_DETAILS%",
  connection_termination_details: "%CONNECTION_TERMINATION_DETAILS%",
  bytes_received: "%BYTES_RECEIVED%",
  bytes_sent: "%BYTES_SENT%",
  duration: "%DURATION%",
  request_id: "%REQ(X-REQUEST-ID)%",
  upstream_cluster: "%UPSTREAM_CLUSTER%",
  upstream_local_address: "%UPSTREAM_LOCAL_ADDRESS%",
  downstream_local_address: "%DOWNSTREAM_LOCAL_ADDRESS%",
  downstream_remote_address: "%DOWNSTREAM_REMOTE_ADDRESS%",
  upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
};

function entry(overrides: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    startTime: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    durationMs: 12.4,
    protocol: "thrift",
    responseCode: 0,
    responseCodeDetails: "",
    connectionTerminationDetails: "",
    upstreamTransportFailureReason: "",
    bytesSent: 128,
    bytesReceived: 64,
    upstreamCluster: "outbound|9090||thrift-sample-server.meta-thrift.svc.cluster.local",
    upstreamHost: "10.0.0.7:9090",
    upstreamLocalAddress: "10.0.0.5:40000",
    downstreamLocalAddress: "10.0.0.5:9090",
    downstreamRemoteAddress: "10.0.0.9:51234",
    routeName: "default",
    requestHeaders: new Map([
      ["x-meta-protocol-application-protocol", "thrift"],
      ["x-request-id", "4f5c-9a"],
      ["method", "sayHello"],
    ]),
    responseHeaders: new Map([["status", "ok"]]),
    ...overrides,
  };
}

function fmt(format: LogFormat, omitEmpty = false): Formatter {
  const r = compileFormat(format, omitEmpty);
  if (!r.ok) assert.fail(r.message);
  return r.format;
}

Deno.test("compileFormat() renders Aeraki's default text format (golden)", async () => {
  const f = fmt({ kind: "text", template: AERAKI_TEXT });
  const failed = entry({
    responseCode: 1,
    responseCodeDetails: "no_matched_route",
    upstreamCluster: "",
    upstreamHost: "",
    upstreamLocalAddress: "",
    bytesReceived: 0,
    routeName: "",
  });
  await assertGolden("access_log/aeraki_default.txt", f(entry()) + f(failed));
});

Deno.test("compileFormat() renders Aeraki's default JSON keys with typed numbers and null for missing", () => {
  const f = fmt({ kind: "json", template: AERAKI_JSON });
  const line = f(entry({ upstreamLocalAddress: "" }));
  assert.ok(line.endsWith("\n"));
  const json = JSON.parse(line);
  assert.equal(json.start_time, "2026-01-02T03:04:05.678Z");
  assert.equal(json.route_name, "default");
  assert.equal(json.response_code, 0);
  assert.equal(json.bytes_sent, 128);
  assert.equal(json.duration, 12);
  assert.equal(json.response_code_details, null);
  assert.equal(json.upstream_local_address, null);
  assert.equal(json.request_id, "4f5c-9a");
  const omitted = JSON.parse(fmt({ kind: "json", template: AERAKI_JSON }, true)(entry()));
  assert.equal("response_code_details" in omitted, false);
});

Deno.test("compileFormat() prints - for missing values, or nothing with omit_empty_values", () => {
  const t = "%REQ(FOO)% %RESP(STATUS)% %RESP(NONE)% %ROUTE_NAME% %RESPONSE_FLAGS%|";
  assert.equal(fmt({ kind: "text", template: t })(entry({ routeName: "" })), "- ok - - -|");
  assert.equal(fmt({ kind: "text", template: t }, true)(entry({ routeName: "" })), " ok   |");
  assert.equal(
    fmt({ kind: "text", template: "%RESP(STATUS)%" })(entry({ responseHeaders: undefined })),
    "-",
  );
});

Deno.test("compileFormat() reads REQ alternatives, length limits and address parts", () => {
  const f = fmt({
    kind: "text",
    template:
      "%REQ(NONE?METHOD):3% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_PORT% %UPSTREAM_HOST% 100%%",
  });
  assert.equal(f(entry()), "say 10.0.0.9 9090 10.0.0.7:9090 100%");
});

Deno.test("compileFormat() formats START_TIME with strftime specifiers", () => {
  const f = fmt({ kind: "text", template: "%START_TIME(%Y/%m/%dT%H:%M:%E3S %s %3f)%" });
  assert.equal(
    f(entry()),
    `2026/01/02T03:04:05.678 ${Math.floor(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000)} 678`,
  );
});

Deno.test("compileFormat() refuses unknown operators and unclosed ones", () => {
  const bad = compileFormat({ kind: "text", template: "%NOPE%" }, false);
  assert.deepEqual(bad, {
    ok: false,
    message: 'Cannot format "%NOPE%": the operator is not supported',
  });
  const open = compileFormat({ kind: "text", template: "x %DURATION" }, false);
  assert.deepEqual(open, {
    ok: false,
    message: 'Cannot parse the format: "%" at offset 2 is not closed',
  });
  const json = compileFormat({ kind: "json", template: { a: { b: "%NOPE%" } } }, false);
  assert.equal(json.ok, false);
});
