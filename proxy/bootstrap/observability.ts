/**
 * `access_log[]` and tracing config → compiled sinks (see `../access_log/config.ts`) and
 * the tracing model carried opaquely in `ListenerModel.tracing` (types in `../tracing/`).
 *
 * @module
 */
import {
  type AccessLogConfig,
  ENVOY_DEFAULT_FORMAT,
  type LogFormat,
} from "../access_log/config.ts";
import { compileFormat } from "../access_log/format.ts";
import type { AccessLogSinkModel } from "../config/model.ts";
import type { TracingModel, ZipkinModel } from "../tracing/mod.ts";
import { bool, type CompileContext, msg, num, str, typeOf } from "./_context.ts";
import type { Plain } from "./_normalize.ts";

const LOGGERS: Readonly<Record<string, string | undefined>> = {
  "envoy.extensions.access_loggers.file.v3.FileAccessLog": undefined,
  "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog": "/dev/stdout",
  "envoy.extensions.access_loggers.stream.v3.StderrAccessLog": "/dev/stderr",
};

/** Reads a file named by a `DataSource`; throws with the OS error. */
export type ReadFile = (path: string) => string;

function dataSource(ctx: CompileContext, ds: Plain, readFile: ReadFile): string | undefined {
  if (typeof ds.inline_string === "string") return ds.inline_string;
  if (typeof ds.inline_bytes === "string") return atob(ds.inline_bytes);
  const file = str(ds, "filename");
  try {
    return readFile(file);
  } catch (e) {
    return ctx.problem(ds, "filename", `Cannot read "${file}": ${(e as Error).message}`);
  }
}

function format(ctx: CompileContext, c: Plain, readFile: ReadFile): LogFormat | undefined {
  const lf = msg(c, "log_format");
  if (lf) {
    if (typeof lf.text_format === "string") return { kind: "text", template: lf.text_format };
    const src = msg(lf, "text_format_source");
    if (src) {
      const t = dataSource(ctx, src, readFile);
      return t === undefined ? undefined : { kind: "text", template: t };
    }
    if (msg(lf, "json_format")) return { kind: "json", template: msg(lf, "json_format")! };
  }
  if (typeof c.format === "string") return { kind: "text", template: c.format };
  const json = msg(c, "json_format") ?? msg(c, "typed_json_format");
  if (json) return { kind: "json", template: json };
  return { kind: "text", template: ENVOY_DEFAULT_FORMAT };
}

/** Compiles `access_log[]`; problems for loggers other than file, stdout and stderr. */
export function compileAccessLogs(
  ctx: CompileContext,
  logs: readonly Plain[],
  readFile: ReadFile,
): AccessLogSinkModel[] {
  const out: AccessLogSinkModel[] = [];
  for (const log of logs) {
    const tc = msg(log, "typed_config");
    const type = typeOf(tc);
    if (!tc || !(type in LOGGERS)) {
      const what = type || str(log, "name");
      ctx.problem(
        log,
        "typed_config",
        `Cannot use access logger "${what}": use the file, stdout or stderr logger`,
      );
      continue;
    }
    const path = LOGGERS[type] ?? str(tc, "path");
    if (path === "") {
      ctx.problem(tc, "path", "Cannot write the access log: path is empty");
      continue;
    }
    const f = format(ctx, tc, readFile);
    if (!f) continue;
    const parsed = compileFormat(f, false);
    if (!parsed.ok) {
      ctx.problem(tc, "log_format", parsed.message);
      continue;
    }
    const config: AccessLogConfig = {
      path,
      format: f,
      omitEmptyValues: bool(msg(tc, "log_format"), "omit_empty_values"),
    };
    out.push({ name: str(log, "name") || type, config });
  }
  return out;
}

function zipkin(ctx: CompileContext, http: Plain | undefined): ZipkinModel | undefined {
  if (!http) return undefined;
  const tc = msg(http, "typed_config");
  if (typeOf(tc) !== "envoy.config.trace.v3.ZipkinConfig") {
    const what = typeOf(tc) || str(http, "name");
    ctx.ignore(http, undefined, `tracing provider "${what}" is not implemented: no spans are sent`);
    return undefined;
  }
  const version = str(tc, "collector_endpoint_version") || "HTTP_JSON";
  if (version !== "HTTP_JSON") {
    return ctx.problem(
      tc,
      "collector_endpoint_version",
      `Cannot send spans as "${version}": use HTTP_JSON`,
    );
  }
  return {
    kind: "zipkin",
    collectorCluster: str(tc, "collector_cluster"),
    collectorEndpoint: str(tc, "collector_endpoint") || "/api/v2/spans",
    collectorHostname: str(tc, "collector_hostname") || str(tc, "collector_cluster"),
    traceId128bit: bool(tc, "trace_id_128bit"),
    sharedSpanContext: tc?.shared_span_context !== false,
  };
}

function percent(p: Plain | undefined): number {
  return p ? num(p, "value") ?? 0 : 100;
}

/**
 * Compiles a MetaProtocol `tracing` block; its own `provider` wins over the bootstrap's
 * `tracing.http` (spec §2.1). A bootstrap provider is reported once, by the caller.
 */
export function compileTracing(
  ctx: CompileContext,
  t: Plain,
  bootstrap: { readonly provider?: ZipkinModel; readonly node: { id: string; cluster: string } },
): TracingModel {
  const own = msg(t, "provider");
  const provider = own ? zipkin(ctx, own) : bootstrap.provider;
  return {
    clientSampling: percent(msg(t, "client_sampling")),
    randomSampling: percent(msg(t, "random_sampling")),
    overallSampling: percent(msg(t, "overall_sampling")),
    verbose: bool(t, "verbose"),
    maxTagLength: num(t, "max_tag_length") ?? 256,
    ...(provider ? { provider } : {}),
    serviceName: bootstrap.node.cluster,
    nodeId: bootstrap.node.id,
  };
}

/** Compiles the bootstrap's `tracing.http`. */
export function compileBootstrapTracing(
  ctx: CompileContext,
  tracing: Plain | undefined,
): ZipkinModel | undefined {
  return zipkin(ctx, msg(tracing, "http"));
}

export type { TracingModel, ZipkinModel };
