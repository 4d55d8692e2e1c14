import assert from "node:assert/strict";
import { formatNote, loadBootstrapText } from "./mod.ts";
import type { BootstrapResult } from "./mod.ts";

const MPP = "type.googleapis.com/aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";

/** A one-listener bootstrap; `mpp` is merged into the MetaProtocol filter config. */
function bootstrap(mpp: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    static_resources: {
      listeners: [{
        name: "l",
        address: { socket_address: { address: "127.0.0.1", port_value: 9000 } },
        filter_chains: [{
          filters: [{
            name: "aeraki.meta_protocol_proxy",
            typed_config: {
              "@type": MPP,
              stat_prefix: "s",
              protocol: { name: "thrift", codec: { name: "aeraki.meta_protocol.codec.thrift" } },
              route_config: { routes: [{ name: "r", route: { cluster: "c" } }] },
              ...mpp,
            },
          }],
        }],
      }],
      clusters: [{
        name: "c",
        type: "STATIC",
        load_assignment: {
          cluster_name: "c",
          endpoints: [{
            lb_endpoints: [{
              endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: 9001 } } },
            }],
          }],
        },
      }],
      ...extra,
    },
  };
}

function load(json: unknown, file = "b.json"): BootstrapResult {
  return loadBootstrapText(JSON.stringify(json), { file });
}

function problems(r: BootstrapResult): string[] {
  assert.equal(r.ok, false, "expected problems");
  return r.problems.map(formatNote);
}

const RATELIMIT = {
  "@type": "type.googleapis.com/aeraki.meta_protocol_proxy.filters.ratelimit.v1alpha.RateLimit",
  domain: "d",
  descriptors: [{ property: "m", descriptor_key: "m" }],
  rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: "nowhere" } } },
};

const FILTER = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config";

Deno.test("loadBootstrapText() reads snake_case and lowerCamelCase alike", () => {
  const snake = load(bootstrap({ idle_timeout: "1.5s" }));
  const camel = loadBootstrapText(
    JSON.stringify(bootstrap({ idleTimeout: "1.5s" })).replaceAll("stat_prefix", "statPrefix")
      .replaceAll("route_config", "routeConfig").replaceAll("filter_chains", "filterChains"),
  );
  assert.ok(snake.ok && camel.ok);
  assert.deepEqual(camel.config, snake.config);
  assert.equal(snake.config.model.listeners[0].idleTimeoutMs, 1500);
});

Deno.test("loadBootstrapText() refuses unknown fields with the file and JSON path", () => {
  const b = bootstrap({ bogus: 1 });
  assert.deepEqual(problems(load(b)), [
    `b.json: ${FILTER}.bogus: Unknown field "bogus" in aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy`,
  ]);
});

Deno.test("loadBootstrapText() refuses other network filters and unknown @types", () => {
  const b = bootstrap();
  const f = b.static_resources.listeners[0].filter_chains[0].filters[0] as Record<string, unknown>;
  f.name = "envoy.filters.network.tcp_proxy";
  f.typed_config = {
    "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
    stat_prefix: "x",
    cluster: "c",
  };
  assert.deepEqual(problems(load(b)), [
    `b.json: ${FILTER}: Cannot use envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy: not implemented by this proxy`,
  ]);
  f.typed_config = { "@type": "type.googleapis.com/no.such.Type" };
  assert.deepEqual(problems(load(b)), [
    `b.json: ${
      FILTER.replace(".typed_config", "")
    }.typed_config["@type"]: Unknown message type "no.such.Type" in "@type"`,
  ]);
});

Deno.test("loadBootstrapText() refuses fields it does not implement, naming them", () => {
  const b = bootstrap({}, {});
  (b.static_resources.clusters[0] as Record<string, unknown>).health_checks = [{
    timeout: "1s",
    interval: "1s",
    tcp_health_check: {},
  }];
  (b.static_resources.listeners[0] as Record<string, unknown>).listener_filters = [{
    name: "envoy.filters.listener.tls_inspector",
  }];
  assert.deepEqual(problems(load(b)), [
    'b.json: static_resources.listeners[0].listener_filters: Cannot use field "listener_filters" of envoy.config.listener.v3.Listener: not implemented by this proxy',
    'b.json: static_resources.clusters[0].health_checks: Cannot use field "health_checks" of envoy.config.cluster.v3.Cluster: not implemented by this proxy',
  ]);
});

Deno.test("loadBootstrapText() lists fields without effect once, and still loads", () => {
  const b = {
    ...bootstrap(),
    layered_runtime: { layers: [{ name: "x", static_layer: {} }] },
    node: { id: "n", locality: { zone: "z" } },
  };
  const r = load(b);
  assert.ok(r.ok);
  assert.deepEqual(r.ignored.map((n) => n.path), ["layered_runtime", "node.locality"]);
});

Deno.test("loadBootstrapText() reads Aeraki's EnvoyFilter form: TypedStruct around the proxy config", () => {
  const b = bootstrap();
  const f = b.static_resources.listeners[0].filter_chains[0].filters[0] as Record<string, unknown>;
  const { "@type": _, ...value } = f.typed_config as Record<string, unknown>;
  f.name = "envoy.filters.network.meta_protocol_proxy";
  f.typed_config = {
    "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
    type_url: MPP,
    value,
  };
  const r = load(b);
  assert.deepEqual(r.problems, []);
  assert.ok(r.ok && r.config.model.listeners[0].codec === "aeraki.meta_protocol.codec.thrift");
});

Deno.test("loadBootstrapText() compiles matchers, weighted clusters and mirrors", () => {
  const r = load(bootstrap({
    route_config: {
      name: "t",
      routes: [{
        name: "r",
        match: {
          metadata: [
            { name: "Method", safe_regex_match: { regex: "say.*" } },
            { name: "x", present_match: true, invert_match: true },
            { name: "y", string_match: { suffix: "Z", ignore_case: true } },
            { name: "n", range_match: { start: "1", end: "10" } },
          ],
        },
        route: {
          weighted_clusters: {
            clusters: [{ name: "c", weight: 20 }, { name: "c", weight: 80 }],
            total_weight: 100,
          },
          request_mirror_policies: [{ cluster: "c" }, {
            cluster: "c",
            runtime_fraction: { default_value: { numerator: 5, denominator: "TEN_THOUSAND" } },
          }],
          hash_policy: ["Method"],
        },
        response_mutation: [{ key: "k", value: "v" }],
      }],
    },
  }));
  assert.ok(r.ok, r.problems.map(formatNote).join("\n"));
  const l = r.config.model.listeners[0];
  assert.ok(l.route.kind === "inline");
  const route = l.route.table.routes[0];
  assert.deepEqual(route.match, [
    { name: "method", match: { kind: "regex", regex: "say.*" } },
    { name: "x", match: { kind: "present", present: true }, invert: true },
    { name: "y", match: { kind: "suffix", value: "Z", ignoreCase: true } },
    { name: "n", match: { kind: "range", start: 1, end: 10 } },
  ]);
  assert.deepEqual(route.action, {
    target: { kind: "weighted", clusters: [{ name: "c", weight: 20 }, { name: "c", weight: 80 }] },
    hashPolicy: ["method"],
    mirrors: [{ cluster: "c" }, { cluster: "c", fraction: { numerator: 5, denominator: 10_000 } }],
  });
  assert.deepEqual(route.responseMutation, [{ key: "k", value: "v" }]);
  assert.deepEqual(r.ignored.map((n) => n.path), [
    `${FILTER}.route_config.routes[0].route.weighted_clusters.total_weight`,
  ]);
});

Deno.test("loadBootstrapText() checks what the protos cannot: regexes, buckets, filter order, clusters", () => {
  const r = load(bootstrap({
    route_config: {
      routes: [{
        match: { metadata: [{ name: "m", safe_regex_match: { regex: "(?=a)" } }] },
        route: { cluster: "c" },
      }],
    },
    meta_protocol_filters: [
      { name: "aeraki.meta_protocol.filters.router" },
      {
        name: "aeraki.meta_protocol.filters.local_ratelimit",
        config: {
          "@type":
            "type.googleapis.com/aeraki.meta_protocol_proxy.filters.local_ratelimit.v1alpha.LocalRateLimit",
          stat_prefix: "x",
          token_bucket: { max_tokens: 1, fill_interval: "0.01s" },
        },
      },
    ],
  }));
  const p = problems(r).map((x) => x.replace(`b.json: ${FILTER}.`, ""));
  assert.equal(p.length, 3, p.join("\n"));
  assert.match(
    p[0],
    /^route_config\.routes\[0\]\.match\.metadata\[0\]\.safe_regex_match\.regex: Rewrite the regex/,
  );
  assert.equal(
    p[1],
    "meta_protocol_filters[1]: Cannot place a filter after the router: move the router last",
  );
  assert.match(
    p[2],
    /^meta_protocol_filters\[1\]\.config\.token_bucket\.fill_interval: .*fill timer must be >= 50ms$/,
  );
  const filters = [
    { name: "aeraki.meta_protocol.filters.ratelimit", config: RATELIMIT },
    { name: "aeraki.meta_protocol.filters.router" },
  ];
  assert.deepEqual(problems(load(bootstrap({ meta_protocol_filters: filters }))), [
    'b.json: static_resources.listeners[0]: Cannot reach the rate limit service: cluster "nowhere" is not defined',
  ]);
});

Deno.test("loadBootstrapText() wants ads_config for RDS over ADS and checks cluster names", () => {
  const b = bootstrap({
    route_config: undefined,
    rds: { route_config_name: "r", config_source: { ads: {} } },
  });
  b.static_resources.clusters.push({ ...b.static_resources.clusters[0] });
  assert.deepEqual(problems(load(b)), [
    'b.json: static_resources.clusters[1].name: Cannot define cluster "c" twice: names must be unique',
    "b.json: static_resources.listeners[0]: Cannot subscribe to RDS over ADS: set dynamic_resources.ads_config",
  ]);
  const ok = load({
    ...bootstrap({
      route_config: undefined,
      rds: { route_config_name: "r", config_source: { ads: {} } },
    }),
    dynamic_resources: {
      ads_config: {
        api_type: "GRPC",
        transport_api_version: "V3",
        grpc_services: [{ envoy_grpc: { cluster_name: "c" } }],
      },
    },
  });
  assert.ok(ok.ok);
  assert.deepEqual(ok.config.rds, [{
    routeConfigName: "r",
    source: { kind: "ads" },
    listeners: ["l"],
  }]);
  assert.deepEqual(ok.config.ads, { kind: "grpc", cluster: "c", initialMetadata: [] });
});

Deno.test("loadBootstrapText() warns about routes to undefined clusters (ClusterNotFound at run time)", () => {
  const r = load(
    bootstrap({ route_config: { routes: [{ name: "r", route: { cluster: "gone" } }] } }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.warnings.map((w) => w.message), [
    'Route "r" names cluster "gone", which is not defined: its requests get ClusterNotFound',
  ]);
});

Deno.test("loadBootstrapText() refuses cluster types, policies and addresses it cannot serve", () => {
  const b = bootstrap();
  Object.assign(b.static_resources.clusters[0], {
    type: "ORIGINAL_DST",
    lb_policy: "CLUSTER_PROVIDED",
  });
  const c2 = {
    ...b.static_resources.clusters[0],
    name: "d",
    type: "STATIC",
    lb_policy: "ROUND_ROBIN",
  };
  c2.load_assignment = {
    cluster_name: "d",
    endpoints: [{
      lb_endpoints: [{
        endpoint: { address: { socket_address: { address: "example.com", port_value: 1 } } },
      }],
    }],
  };
  b.static_resources.clusters.push(c2);
  const p = problems(load(b));
  assert.deepEqual(p, [
    'b.json: static_resources.clusters[0].type: Cannot use cluster type "ORIGINAL_DST": use STATIC, STRICT_DNS or EDS',
    'b.json: static_resources.clusters[1].load_assignment.endpoints[0].lb_endpoints[0].endpoint: Cannot use host name "example.com" in a STATIC cluster: use STRICT_DNS',
  ]);
});

Deno.test("loadBootstrapText() reports YAML syntax errors with the line", () => {
  const r = loadBootstrapText("static_resources:\n  listeners: [\n", { file: "x.yaml" });
  assert.equal(r.ok, false);
  assert.match(formatNote(r.problems[0]), /^x\.yaml: Cannot parse YAML at line \d+: /);
});

Deno.test("loadBootstrapText() lists an ignored field once, counting its other places", () => {
  const b = bootstrap();
  const c = b.static_resources.clusters[0] as Record<string, unknown>;
  c.http2_protocol_options = {};
  b.static_resources.clusters.push({ ...c, name: "d" } as typeof b.static_resources.clusters[0]);
  b.static_resources.clusters.push({ ...c, name: "e" } as typeof b.static_resources.clusters[0]);
  const r = load(b);
  assert.ok(r.ok);
  assert.deepEqual(r.ignored.map((n) => `${n.path}: ${n.message}`), [
    "static_resources.clusters[0].http2_protocol_options: gRPC clusters always speak HTTP/2 and " +
    "data clusters carry the application protocol (also at 2 other places)",
  ]);
});
