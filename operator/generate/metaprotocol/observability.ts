/**
 * Tracing and access logging of the MetaProtocol proxy, from Istio's mesh config (control-plane
 * spec §3.2): `enableTracing` with `defaultConfig.tracing.sampling`, and `accessLogFile` with
 * `accessLogEncoding` / `accessLogFormat`.
 *
 * @module
 */
import type { MeshConfig } from "../../../api/mod.ts";
import type { GenerateProblem } from "../snapshot.ts";

/** Aeraki's default TEXT access-log format. */
export const DEFAULT_TEXT_FORMAT = "[%START_TIME%] %REQ(X-META-PROTOCOL-APPLICATION-PROTOCOL)% " +
  "%RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% " +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%  ' +
  '"%REQ(X-FORWARDED-FOR)%" "%REQ(X-REQUEST-ID)%" %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% ' +
  "%DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %ROUTE_NAME%\n";

/** Aeraki's default JSON access-log format: the TEXT format's fields, by key. */
export const DEFAULT_JSON_FORMAT: Readonly<Record<string, string>> = {
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

const FILE_ACCESS_LOG = "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog";

/** Where mesh-config problems point: the `mesh` key of ConfigMap `istio` in the root namespace. */
export function meshConfigRef(rootNamespace: string): string {
  return `ConfigMap/${rootNamespace}/istio`;
}

/**
 * The proxy's `tracing`, or `undefined` when tracing is off. Istio's defaults apply to what the
 * mesh config leaves out: tracing on, 1% random sampling (upstream used 0% when a `tracing`
 * block had no `sampling`).
 */
export function buildTracing(mesh: MeshConfig | undefined): Record<string, unknown> | undefined {
  if (mesh?.enableTracing === false) return undefined;
  const sampling = mesh?.defaultConfig?.tracing?.sampling ?? 1;
  return {
    clientSampling: { value: 100 },
    randomSampling: sampling === 0 ? {} : { value: sampling },
    overallSampling: { value: 100 },
  };
}

function jsonFormat(
  format: string | undefined,
  rootNamespace: string,
): { format: Record<string, unknown>; problems: GenerateProblem[] } {
  if (!format) return { format: { ...DEFAULT_JSON_FORMAT }, problems: [] };
  try {
    const parsed: unknown = JSON.parse(format);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return { format: parsed as Record<string, unknown>, problems: [] };
    }
  } catch {
    // Reported below, like any other non-object.
  }
  return {
    format: { ...DEFAULT_JSON_FORMAT },
    problems: [{
      object: meshConfigRef(rootNamespace),
      field: "data.mesh.accessLogFormat",
      message: "Write accessLogFormat as a JSON object when accessLogEncoding is JSON: " +
        `the default JSON format is used instead of ${JSON.stringify(format.slice(0, 60))}`,
    }],
  };
}

/** The proxy's `accessLog` list (empty when `accessLogFile` is unset) and any problems. */
export function buildAccessLog(
  mesh: MeshConfig | undefined,
  rootNamespace: string,
): { accessLog: Record<string, unknown>[]; problems: GenerateProblem[] } {
  const path = mesh?.accessLogFile;
  if (!path) return { accessLog: [], problems: [] };
  let logFormat: Record<string, unknown>;
  let problems: GenerateProblem[] = [];
  if (mesh?.accessLogEncoding === "JSON") {
    const json = jsonFormat(mesh.accessLogFormat, rootNamespace);
    logFormat = { jsonFormat: json.format };
    problems = json.problems;
  } else {
    const text = mesh?.accessLogFormat || DEFAULT_TEXT_FORMAT;
    logFormat = { textFormatSource: { inlineString: text } };
  }
  const typedConfig = { "@type": FILE_ACCESS_LOG, path, logFormat };
  return { accessLog: [{ name: "envoy.access_loggers.file", typedConfig }], problems };
}
