/**
 * The admin HTTP server on the bootstrap's `admin` address, with Envoy's paths: `/ready`,
 * `/stats` (`?format=json|prometheus`, `filter`, `usedonly`), `/stats/prometheus`,
 * `/config_dump`, `/clusters` (`?format=json`), `/quitquitquit` (POST), and `/` listing them.
 * It only reads the proxy's handle: stats, endpoint state and route tables.
 *
 * @module
 */
import type { AdminModel, ProxyHandle, ProxyModel } from "../config/model.ts";
import { renderClustersJson, renderClustersText } from "./clusters.ts";
import { type DynamicRouteStatus, renderConfigDump } from "./config_dump.ts";
import { renderPrometheus, type StatNames } from "./prometheus.ts";
import { filterProblem, renderStatsJson, renderStatsText } from "./stats.ts";

/** What the admin server reads and controls. */
export interface AdminOptions {
  readonly proxy: Pick<ProxyHandle, "stats" | "clusterStatus" | "routeTables">;
  readonly model: ProxyModel;
  /** RDS subscription states for `/config_dump`. @default none */
  readonly rds?: () => readonly DynamicRouteStatus[];
  /** Called by `POST /quitquitquit` (after the reply is sent). */
  readonly onQuit?: () => void;
  /** Server state for `/ready`: `LIVE` answers 200, anything else 503. @default "LIVE" */
  readonly state?: () => string;
  /** When the configuration was loaded. @default now */
  readonly loadedAt?: number;
}

/** A running admin server. */
export interface AdminServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

const PATHS: Readonly<Record<string, string>> = {
  "/ready": "print server state, return 200 if LIVE, otherwise return 503",
  "/stats": "print server stats (format=json|prometheus, filter=RE2, usedonly)",
  "/stats/prometheus": "print server stats in prometheus format",
  "/config_dump": "dump current configuration, including RDS versions",
  "/clusters": "upstream cluster status (format=json)",
  "/quitquitquit": "drain and exit the proxy (POST)",
};

function text(body: string, status = 200, type = "text/plain; charset=UTF-8"): Response {
  return new Response(body, { status, headers: { "content-type": type } });
}

/** The names whose parts become Prometheus labels. */
export function statNames(model: ProxyModel): StatNames {
  return {
    clusters: model.clusters.map((c) => c.name),
    listeners: model.listeners.map((l) => [l.protocol, l.statPrefix] as const),
    localRateLimits: model.listeners.flatMap((l) =>
      l.filters.flatMap((f) => f.kind === "local_ratelimit" ? [f.statPrefix] : [])
    ),
  };
}

function stats(url: URL, o: AdminOptions): Response {
  const filter = url.searchParams.get("filter") ?? undefined;
  const bad = filterProblem(filter);
  if (bad) return text(bad + "\n", 400);
  const snapshot = o.proxy.stats.snapshot();
  const format = url.searchParams.get("format");
  if (format === "prometheus") {
    return text(renderPrometheus(snapshot, statNames(o.model)), 200, "text/plain; version=0.0.4");
  }
  const query = { filter, usedOnly: url.searchParams.has("usedonly") };
  if (format === "json") return text(renderStatsJson(snapshot, query), 200, "application/json");
  return text(renderStatsText(snapshot, query));
}

/** Routes one admin request. */
export function handleAdmin(req: Request, o: AdminOptions): Response {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/ready": {
      const state = o.state?.() ?? "LIVE";
      return text(`${state}\n`, state === "LIVE" ? 200 : 503);
    }
    case "/stats":
      return stats(url, o);
    case "/stats/prometheus":
      return text(
        renderPrometheus(o.proxy.stats.snapshot(), statNames(o.model)),
        200,
        "text/plain; version=0.0.4",
      );
    case "/config_dump":
      return text(
        renderConfigDump({
          model: o.model,
          tables: o.proxy.routeTables(),
          rds: o.rds?.() ?? [],
          loadedAt: o.loadedAt ?? Date.now(),
        }),
        200,
        "application/json",
      );
    case "/clusters": {
      const status = o.proxy.clusterStatus();
      if (url.searchParams.get("format") === "json") {
        return text(renderClustersJson(o.model.clusters, status), 200, "application/json");
      }
      return text(renderClustersText(o.model.clusters, status));
    }
    case "/quitquitquit":
      if (req.method !== "POST") return text("This endpoint requires POST\n", 405);
      if (o.onQuit) setTimeout(o.onQuit, 0);
      return text("OK\n");
    case "/":
      return text(Object.entries(PATHS).map(([p, d]) => `  ${p}: ${d}\n`).join(""));
    default:
      return text(`Cannot serve "${url.pathname}": unknown admin path (see /)\n`, 404);
  }
}

/** Starts the admin server on `address`. */
export function startAdmin(address: AdminModel, options: AdminOptions): Promise<AdminServer> {
  const abort = new AbortController();
  return new Promise((resolve, reject) => {
    try {
      const server = Deno.serve({
        hostname: address.address,
        port: address.port,
        signal: abort.signal,
        onListen: ({ port }) => resolve({ port, close: () => (abort.abort(), server.finished) }),
        onError: (e) => text(`Cannot answer: ${(e as Error).message}\n`, 500),
      }, (req) => handleAdmin(req, options));
    } catch (e) {
      reject(
        new Error(
          `Cannot start the admin server on ${address.address}:${address.port}: ${
            (e as Error).message
          }`,
        ),
      );
    }
  });
}
