/**
 * The configurations the benchmark generates for the proxies under test: an HAProxy config
 * in TCP mode and an Envoy v3 bootstrap for our proxy (`aeraki proxy -c FILE`), both with one
 * Thrift and one Dubbo listener in front of the echo upstreams.
 *
 * @module
 */
import { DUBBO_METHOD, DUBBO_SERVICE, THRIFT_METHOD } from "./frames.ts";

/** The ports of one proxy under test and of the upstreams it forwards to. */
export interface ProxyPorts {
  readonly thrift: number;
  readonly dubbo: number;
  readonly thriftUpstream: number;
  readonly dubboUpstream: number;
}

/**
 * An HAProxy configuration forwarding both ports in TCP mode with `nbthread` threads
 * (1 to match our proxy's concurrency 1).
 */
export function haproxyConfig(ports: ProxyPorts, options: { nbthread?: number } = {}): string {
  const listen = (name: string, port: number, upstream: number) => [
    `listen ${name}`,
    `  bind 127.0.0.1:${port}`,
    `  server ${name}_upstream 127.0.0.1:${upstream}`,
  ];
  return [
    "global",
    `  nbthread ${options.nbthread ?? 1}`,
    "  maxconn 4096",
    "defaults",
    "  mode tcp",
    "  timeout connect 5s",
    "  timeout client 120s",
    "  timeout server 120s",
    ...listen("thrift", ports.thrift, ports.thriftUpstream),
    ...listen("dubbo", ports.dubbo, ports.dubboUpstream),
    "",
  ].join("\n");
}

/** How our proxy is configured for one benchmark target. */
export interface OursOptions {
  /** `protocol.multiplexing`: shared upstream connections (true) or the exclusive pool. */
  readonly multiplexing: boolean;
  /** Adds the istio_stats filter before the router (default true: "metrics on"). */
  readonly istioStats?: boolean;
  /** The admin port (`/stats`, `/ready`). */
  readonly adminPort: number;
}

function cluster(name: string, port: number): unknown {
  return {
    name,
    type: "STATIC",
    connect_timeout: "5s",
    load_assignment: {
      cluster_name: name,
      endpoints: [{
        lb_endpoints: [{
          endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: port } } },
        }],
      }],
    },
  };
}

function listener(
  protocol: "thrift" | "dubbo",
  port: number,
  match: Record<string, string>,
  options: OursOptions,
): unknown {
  const service = `bench-${protocol}.bench.svc.cluster.local`;
  const clusterName = `outbound|${port}||${service}`;
  const filters: unknown[] = [];
  if (options.istioStats ?? true) {
    filters.push({
      name: "aeraki.meta_protocol.filters.istio_stats",
      config: {
        "@type":
          "type.googleapis.com/aeraki.meta_protocol_proxy.filters.istio_stats.v1alpha.IstioStats",
        destination_service: service,
      },
    });
  }
  filters.push({ name: "aeraki.meta_protocol.filters.router" });
  return {
    name: `bench_${protocol}`,
    address: { socket_address: { address: "127.0.0.1", port_value: port } },
    traffic_direction: "OUTBOUND",
    filter_chains: [{
      filters: [{
        name: "aeraki.meta_protocol_proxy",
        typed_config: {
          "@type": "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy",
          stat_prefix: clusterName,
          protocol: {
            name: protocol,
            codec: { name: `aeraki.meta_protocol.codec.${protocol}` },
            multiplexing: options.multiplexing,
          },
          meta_protocol_filters: filters,
          route_config: {
            name: clusterName,
            routes: [{
              name: `bench-${protocol}`,
              match: {
                metadata: Object.entries(match).map(([name, value]) => ({
                  name,
                  exact_match: value,
                })),
              },
              route: { cluster: clusterName },
            }],
          },
        },
      }],
    }],
  };
}

/**
 * An Envoy v3 bootstrap (JSON, which Envoy's `-c` reads as YAML) for our proxy: a Thrift
 * listener routing on `method`, a Dubbo listener routing on `interface` and `method`, each to
 * a STATIC cluster of its echo upstream.
 */
export function oursBootstrap(ports: ProxyPorts, options: OursOptions): Record<string, unknown> {
  const thrift = `outbound|${ports.thrift}||bench-thrift.bench.svc.cluster.local`;
  const dubbo = `outbound|${ports.dubbo}||bench-dubbo.bench.svc.cluster.local`;
  return {
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: options.adminPort } } },
    static_resources: {
      listeners: [
        listener("thrift", ports.thrift, { method: THRIFT_METHOD }, options),
        listener("dubbo", ports.dubbo, { interface: DUBBO_SERVICE, method: DUBBO_METHOD }, options),
      ],
      clusters: [cluster(thrift, ports.thriftUpstream), cluster(dubbo, ports.dubboUpstream)],
    },
  };
}
