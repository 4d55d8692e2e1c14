/**
 * The compiled form of one Envoy access logger (`envoy.access_loggers.file`, `.stdout`,
 * `.stderr`), as the bootstrap compiler puts it into `AccessLogSinkModel.config`.
 *
 * @module
 */

/** Envoy's default access-log format, used when a logger sets none. */
export const ENVOY_DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% ' +
  '%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

/** A text template (`%OPERATOR%`s in literal text), or a JSON object of templates. */
export type LogFormat =
  | { readonly kind: "text"; readonly template: string }
  | { readonly kind: "json"; readonly template: { readonly [key: string]: unknown } };

/** One access logger: where it writes and how each entry is formatted. */
export interface AccessLogConfig {
  /** A file path; `/dev/stdout` and `/dev/stderr` write to the process's streams. */
  readonly path: string;
  readonly format: LogFormat;
  /** `omit_empty_values`: leave out empty values (JSON) or print "" instead of "-" (text). */
  readonly omitEmptyValues: boolean;
}
