/**
 * Access logs of the MetaProtocol proxy: Envoy's command operators (spec §6.2) in text and
 * JSON formats, written to files or the standard streams in buffered batches.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export { type AccessLogConfig, ENVOY_DEFAULT_FORMAT, type LogFormat } from "./config.ts";
export { compileFormat, type FormatResult, type Formatter } from "./format.ts";
export {
  type AccessLogs,
  type AccessLogsOptions,
  BufferedWriter,
  type BufferedWriterOptions,
  createAccessLogs,
  type LogWriter,
  openWriter,
} from "./sink.ts";
