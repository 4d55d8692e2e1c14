/**
 * The `RedisProxy` configs (control-plane spec §3.7). Outbound: from the first RedisService of
 * the namespace that lists one of the service's hosts — key-prefix routes, a catch-all route,
 * mirrors, faults, proxy settings and downstream AUTH — or, without one, a catch-all route to
 * the service. Inbound: everything to `inbound|<port>||` with a one-hour op timeout.
 *
 * Fixes of quirk Q6: `PREFER_REPLICA` stays `PREFER_REPLICA`; `caseInsensitive` becomes
 * `prefixRoutes.caseInsensitive` and `maxUpstreamUnknownConnections` the setting of the same
 * name (Envoy has both); a mirror's cluster port comes from the mirror's own host and port.
 *
 * @module
 */
import {
  type IstioPort,
  parseDuration,
  type RedisRoute,
  type RedisService,
  toProtoDuration,
} from "../../../api/mod.ts";
import type { ServiceContext } from "../context.ts";
import { clusterName } from "../names.ts";
import { type GenerateProblem, objectRef } from "../snapshot.ts";
import { inboundName, type Json, outboundName } from "./_shared.ts";
import { resolveAuth } from "./redis_auth.ts";

/** Envoy's Redis proxy filter. */
export const REDIS_FILTER = "envoy.filters.network.redis_proxy";
/** The type of its config. */
export const REDIS_TYPE_URL =
  "type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy";

/** A Go-style duration as proto3 JSON (`1m` → `"60s"`); `undefined` when it is not one. */
export function protoDuration(text: string | undefined): string | undefined {
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms === undefined ? undefined : toProtoDuration(ms);
}

/** A percentage as Envoy's FractionalPercent per million (upstream: `pct * 10000`). */
function perMillion(value: number): Json {
  return { defaultValue: { numerator: Math.round(value * 10000), denominator: "MILLION" } };
}

/** The RedisService for the service: the first (by name) listing the earliest of its hosts. */
export function findRedisService(
  ctx: ServiceContext,
): { service: RedisService; host: string } | undefined {
  for (const host of ctx.serviceEntry.spec.hosts) {
    const service = ctx.redisServices.find((rs) => rs.spec.host.includes(host));
    if (service) return { service, host };
  }
  return undefined;
}

/**
 * The port of `host`'s cluster when a route names no port: the service's only port, else the
 * port with the listener's number or name, else the listener's number.
 */
function servicePort(ctx: ServiceContext, host: string, listen: IstioPort): number {
  const ports = ctx.service(host)?.spec.ports ?? [];
  if (ports.length === 1) return ports[0].number;
  const same = ports.find((p) => p.number === listen.number || p.name === listen.name);
  return same?.number ?? listen.number;
}

function destinationCluster(
  ctx: ServiceContext,
  dest: { readonly host: string; readonly port?: number },
  listen: IstioPort,
): string {
  return clusterName("outbound", dest.port || servicePort(ctx, dest.host, listen), "", dest.host);
}

function prefixRoute(ctx: ServiceContext, route: RedisRoute, listen: IstioPort): Json {
  const mirrors = (route.mirror ?? []).map((m) => ({
    cluster: destinationCluster(ctx, m.route, listen),
    // Without a percentage every request is mirrored, as Envoy does (upstream crashed).
    ...(m.percentage ? { runtimeFraction: perMillion(m.percentage.value) } : {}),
    ...(m.excludeReadCommands ? { excludeReadCommands: true } : {}),
  }));
  const key = route.match?.key;
  return {
    ...(key?.prefix ? { prefix: key.prefix } : {}),
    ...(key?.removePrefix ? { removePrefix: true } : {}),
    cluster: destinationCluster(ctx, route.route, listen),
    ...(mirrors.length > 0 ? { requestMirrorPolicy: mirrors } : {}),
  };
}

function duplicateRoute(rs: RedisService, i: number, prefix: string | undefined): GenerateProblem {
  const what = prefix === undefined ? "a second route without match" : `prefix "${prefix}" again`;
  return {
    object: objectRef(rs),
    field: `spec.redis[${i}]`,
    message: `Remove or merge route ${i}: it has ${what}, so it is never used`,
  };
}

/** Prefix routes: later duplicates of a prefix or of the catch-all are reported and skipped. */
function prefixRoutes(
  ctx: ServiceContext,
  rs: RedisService,
  host: string,
  listen: IstioPort,
  problems: GenerateProblem[],
): Json {
  const caseInsensitive = rs.spec.settings?.caseInsensitive === true;
  const routes: Json[] = [];
  let catchAll: Json | undefined;
  const seen = new Set<string>();
  for (const [i, route] of rs.spec.redis.entries()) {
    const prefix = route.match?.key ? route.match.key.prefix ?? "" : undefined;
    const key = caseInsensitive ? prefix?.toLowerCase() : prefix;
    if (key === undefined ? catchAll !== undefined : seen.has(key)) {
      problems.push(duplicateRoute(rs, i, prefix));
    } else if (key === undefined) {
      catchAll = prefixRoute(ctx, route, listen);
    } else {
      seen.add(key);
      routes.push(prefixRoute(ctx, route, listen));
    }
  }
  if (rs.spec.redis.length === 0) {
    catchAll = { cluster: clusterName("outbound", listen.number, "", host) };
  }
  return {
    ...(routes.length > 0 ? { routes } : {}),
    ...(caseInsensitive ? { caseInsensitive: true } : {}),
    ...(catchAll ? { catchAllRoute: catchAll } : {}),
  };
}

function settings(rs: RedisService): Json {
  const s = rs.spec.settings ?? {};
  const readPolicy = s.readPolicy && s.readPolicy !== "MASTER" ? s.readPolicy : undefined;
  const entries: Array<[string, unknown]> = [
    ["opTimeout", protoDuration(s.opTimeout) ?? "60s"],
    ["enableHashtagging", s.enableHashtagging || undefined],
    ["enableRedirection", s.enableRedirection || undefined],
    ["maxBufferSizeBeforeFlush", s.maxBufferSizeBeforeFlush || undefined],
    ["bufferFlushTimeout", protoDuration(s.bufferFlushTimeout)],
    ["maxUpstreamUnknownConnections", s.maxUpstreamUnknownConnections],
    ["enableCommandStats", s.enableCommandStats || undefined],
    ["readPolicy", readPolicy],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

function faults(rs: RedisService, problems: GenerateProblem[]): Json[] {
  return (rs.spec.faults ?? []).flatMap((f, i) => {
    if (!f.percentage) {
      problems.push({
        object: objectRef(rs),
        field: `spec.faults[${i}].percentage`,
        message: `Set the percentage of requests fault ${i} applies to: it is left out until then`,
      });
      return [];
    }
    const delay = protoDuration(f.delay);
    return [{
      ...(f.type === "ERROR" ? { faultType: "ERROR" } : {}),
      faultEnabled: perMillion(f.percentage.value),
      ...(delay ? { delay } : {}),
      ...(f.commands?.length ? { commands: [...f.commands] } : {}),
    }];
  });
}

/**
 * The outbound RedisProxy of a port, or only problems when its downstream credentials cannot
 * be read (the filter is then left out: clients keep talking to Redis, which asks for its own
 * password, rather than to a proxy that would accept anyone).
 */
export function outboundRedisProxy(
  ctx: ServiceContext,
  listen: IstioPort,
): { value?: Json; problems: GenerateProblem[] } {
  const found = findRedisService(ctx);
  const name = outboundName(ctx, listen.number);
  if (!found) {
    return {
      value: {
        statPrefix: name,
        settings: { opTimeout: "60s" },
        prefixRoutes: { catchAllRoute: { cluster: name } },
      },
      problems: [],
    };
  }
  const { service: rs, host } = found;
  const problems: GenerateProblem[] = [];
  const auth = rs.spec.settings?.auth;
  const creds = auth ? resolveAuth(ctx, auth, { object: rs, field: "spec.settings.auth" }) : {};
  if (creds.problem) return { problems: [creds.problem] };
  const { username = "", password = "" } = creds.credentials ?? {};
  const fs = faults(rs, problems);
  const value = {
    statPrefix: clusterName("outbound", listen.number, "", host),
    settings: settings(rs),
    prefixRoutes: prefixRoutes(ctx, rs, host, listen, problems),
    ...(password ? { downstreamAuthPassword: { inlineString: password } } : {}),
    ...(fs.length > 0 ? { faults: fs } : {}),
    ...(username ? { downstreamAuthUsername: { inlineString: username } } : {}),
  };
  return { value, problems };
}

/** The inbound RedisProxy: every command to `inbound|<port>||`, op timeout one hour. */
export function inboundRedisProxy(port: number): Json {
  const name = inboundName(port);
  return {
    statPrefix: name,
    settings: { opTimeout: "3600s" },
    prefixRoutes: { catchAllRoute: { cluster: name } },
  };
}
