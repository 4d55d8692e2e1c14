import assert from "node:assert/strict";
import {
  assertEnvoyConfig,
  assertEnvoyFilter,
  assertEnvoyFilterPatch,
  validateEnvoyFilter,
  validateEnvoyFilterPatch,
} from "./envoy_proto.ts";
import {
  CLUSTER_TYPE_URL,
  DUBBO_PROXY_TYPE_URL,
  FILE_ACCESS_LOG_TYPE_URL,
  ISTIO_STATS_TYPE_URL,
  KAFKA_BROKER_TYPE_URL,
  LOCAL_RATE_LIMIT_TYPE_URL,
  META_PROTOCOL_PROXY_TYPE_URL,
  RATE_LIMIT_TYPE_URL,
  RBAC_TYPE_URL,
  REDIS_PROTOCOL_OPTIONS_TYPE_URL,
  REDIS_PROXY_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  THRIFT_PROXY_TYPE_URL,
  UDPA_TYPED_STRUCT_TYPE_URL,
  ZOOKEEPER_PROXY_TYPE_URL,
} from "../proto/mod.ts";

const HOST = "thrift-sample-server.meta-thrift.svc.cluster.local";
const TEXT_FORMAT = "[%START_TIME%] %REQ(X-META-PROTOCOL-APPLICATION-PROTOCOL)% %RESPONSE_CODE%\n";

/** The filter chain of control-plane spec §4, with optional rate-limit filters in front. */
function metaFilters(...first: unknown[]) {
  return [
    ...first,
    { name: "aeraki.meta_protocol.filters.metadata_exchange" },
    {
      name: "aeraki.meta_protocol.filters.istio_stats",
      config: { "@type": ISTIO_STATS_TYPE_URL, destinationService: HOST },
    },
    { name: "aeraki.meta_protocol.filters.router" },
  ];
}

const COMMON = {
  applicationProtocol: "thrift",
  codec: { name: "aeraki.meta_protocol.codec.thrift" },
  tracing: {
    clientSampling: { value: 100 },
    randomSampling: { value: 100 },
    overallSampling: { value: 100 },
  },
  accessLog: [{
    name: "envoy.access_loggers.file",
    typedConfig: {
      "@type": FILE_ACCESS_LOG_TYPE_URL,
      path: "/dev/stdout",
      logFormat: { textFormatSource: { inlineString: TEXT_FORMAT } },
    },
  }],
};

/** An EnvoyFilter replacing tcp_proxy with the MetaProtocol proxy, as in spec §3.1 / §4. */
function metaEnvoyFilter(value: unknown) {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    spec: {
      configPatches: [{
        applyTo: "NETWORK_FILTER",
        match: {
          listener: { filterChain: { filter: { name: "envoy.filters.network.tcp_proxy" } } },
        },
        patch: {
          operation: "REPLACE",
          value: {
            name: "envoy.filters.network.meta_protocol_proxy",
            typed_config: {
              "@type": UDPA_TYPED_STRUCT_TYPE_URL,
              type_url: META_PROTOCOL_PROXY_TYPE_URL,
              value,
            },
          },
        },
      }],
    },
  };
}

const OUTBOUND = {
  statPrefix: `outbound|9090||${HOST}`,
  ...COMMON,
  rds: {
    configSource: {
      apiConfigSource: {
        apiType: "GRPC",
        transportApiVersion: "V3",
        grpcServices: [{ envoyGrpc: { clusterName: "aeraki-xds" } }],
      },
      resourceApiVersion: "V3",
    },
    routeConfigName: `${HOST}_9090`,
  },
  metaProtocolFilters: metaFilters(),
};

const LOCAL_RATE_LIMIT = {
  name: "aeraki.meta_protocol.filters.local_ratelimit",
  config: {
    "@type": LOCAL_RATE_LIMIT_TYPE_URL,
    statPrefix: HOST,
    tokenBucket: { maxTokens: 5, tokensPerFill: 5, fillInterval: "60s" },
    conditions: [{
      match: { metadata: [{ name: "method", exactMatch: "sayHello" }] },
      tokenBucket: { maxTokens: 2, tokensPerFill: 2, fillInterval: "30s" },
    }],
  },
};

const GLOBAL_RATE_LIMIT = {
  name: "aeraki.meta_protocol.filters.ratelimit",
  config: {
    "@type": RATE_LIMIT_TYPE_URL,
    match: { metadata: [{ name: "method", exactMatch: "sayHello" }] },
    domain: "production",
    timeout: "0.100s",
    failureModeDeny: true,
    rateLimitService: {
      grpcService: { envoyGrpc: { clusterName: "outbound|8081||rate-limit-server.meta-thrift" } },
    },
    descriptors: [{ property: "method", descriptorKey: "method" }],
  },
};

const INBOUND = {
  statPrefix: "inbound|9090||",
  ...COMMON,
  routeConfig: { name: "inbound|9090||", routes: [{ route: { cluster: "inbound|9090||" } }] },
  metaProtocolFilters: metaFilters(LOCAL_RATE_LIMIT, GLOBAL_RATE_LIMIT),
};

Deno.test("assertEnvoyFilter() accepts spec §4's outbound and inbound MetaProtocol filters", () => {
  assertEnvoyFilter(metaEnvoyFilter(OUTBOUND));
  assertEnvoyFilter(metaEnvoyFilter(INBOUND));
  assertEnvoyConfig(META_PROTOCOL_PROXY_TYPE_URL, INBOUND);
});

Deno.test("validateEnvoyFilter() names the path of an unknown field inside a TypedStruct", () => {
  const bad = { ...INBOUND, routeConfig: { routes: [{ route: { cluster: "c" }, bogus: 1 }] } };
  assert.deepEqual(validateEnvoyFilter(metaEnvoyFilter(bad)), [{
    path: "spec.configPatches[0].patch.value.typed_config.value.routeConfig.routes[0].bogus",
    message: 'Unknown field "bogus" in aeraki.meta_protocol_proxy.config.route.v1alpha.Route',
  }]);
});

Deno.test("validateEnvoyFilter() reports wrong types and unknown @type inside filter configs", () => {
  const [, , stats] = metaFilters();
  const bad = {
    ...OUTBOUND,
    metaProtocolFilters: [
      { name: "x", config: { "@type": "type.googleapis.com/aeraki.Nope" } },
      { ...GLOBAL_RATE_LIMIT, config: { ...GLOBAL_RATE_LIMIT.config, failureModeDeny: "yes" } },
      stats,
    ],
  };
  const at = "spec.configPatches[0].patch.value.typed_config.value.metaProtocolFilters";
  assert.deepEqual(validateEnvoyFilter(metaEnvoyFilter(bad)), [
    { path: `${at}[0].config["@type"]`, message: 'Unknown message type "aeraki.Nope" in "@type"' },
    { path: `${at}[1].config.failureModeDeny`, message: 'Expected a boolean: got "yes"' },
  ]);
});

Deno.test("assertEnvoyConfig() accepts spec §5's 20/80 RDS route configuration", () => {
  const cluster = (v: string) => `outbound|9090|${v}|${HOST}`;
  assertEnvoyConfig(ROUTE_CONFIGURATION_TYPE_URL, {
    name: `${HOST}_9090`,
    virtual_hosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{
        name: "traffic-split",
        match: { prefix: "/", headers: [{ name: "method", exact_match: "sayHello" }] },
        route: {
          weighted_clusters: {
            clusters: [{ name: cluster("v1"), weight: 20 }, { name: cluster("v2"), weight: 80 }],
            total_weight: 100,
          },
          hash_policy: [{ header: { header_name: "method" } }],
          request_mirror_policies: [{
            cluster: cluster("v3"),
            runtime_fraction: { default_value: { numerator: 500000, denominator: "MILLION" } },
          }],
        },
        request_headers_to_add: [{ header: { key: "foo", value: "bar" } }],
      }],
    }],
  });
});

const svc = "org.apache.dubbo.samples.basic.api.demoservice";

/** A native Dubbo filter patch (spec §3.4) whose RBAC principal matcher is `principal`. */
function dubboPatch(principal: Record<string, unknown>) {
  const rbac = {
    name: "envoy.filters.dubbo.rbac",
    config: {
      "@type": RBAC_TYPE_URL,
      statPrefix: "dubbo.",
      rules: {
        action: "DENY",
        policies: {
          "ns[default]-policy[deny-all]-rule[0]": {
            permissions: [{
              andRules: {
                rules: [{
                  metadata: {
                    filter: "envoy.filters.dubbo.rbac",
                    path: [{ key: "method" }],
                    value: { stringMatch: { exact: "sayHello" } },
                  },
                }],
              },
            }],
            principals: [{
              andIds: {
                ids: [{ authenticated: principal }],
              },
            }],
          },
        },
      },
    },
  };
  return {
    name: "envoy.filters.network.dubbo_proxy",
    typed_config: {
      "@type": DUBBO_PROXY_TYPE_URL,
      statPrefix: `outbound|20880||${svc}`,
      routeConfig: [{
        name: `outbound|20880||${svc}`,
        interface: "org.apache.dubbo.samples.basic.api.DemoService",
        routes: [
          {
            match: { method: { name: { exact: "sayHello01" } } },
            route: { cluster: `outbound|20880|v1|${svc}` },
          },
          {
            match: {
              method: { name: { safeRegex: { googleRe2: {}, regex: ".*" } } },
              headers: [{ name: "batchJob", exactMatch: "true" }],
            },
            route: {
              weightedClusters: {
                clusters: [{ name: `outbound|20880|v2|${svc}`, weight: 100 }],
                totalWeight: 100,
              },
            },
          },
        ],
      }],
      dubboFilters: [rbac, { name: "envoy.filters.dubbo.router" }],
    },
  };
}

Deno.test("assertEnvoyFilterPatch() accepts native Dubbo with method and header routes and RBAC", () => {
  const principal = { principalName: { safeRegex: { regex: ".*/ns/default/.*" } } };
  assertEnvoyFilterPatch(dubboPatch(principal), { applyTo: "NETWORK_FILTER" });
});

Deno.test("validateEnvoyFilterPatch() finds a mistake deep inside a Dubbo RBAC filter config", () => {
  const r = validateEnvoyFilterPatch(dubboPatch({ principal: { exact: "spiffe://a" } }));
  const policy = 'policies["ns[default]-policy[deny-all]-rule[0]"]';
  assert.deepEqual(r.ok ? [] : r.problems, [{
    path: `value.typed_config.dubboFilters[0].config.rules.${policy}.principals[0].andIds.ids[0]` +
      ".authenticated.principal",
    message: 'Unknown field "principal" in envoy.config.rbac.v3.Principal.Authenticated',
  }]);
});

Deno.test("assertEnvoyFilterPatch() accepts Thrift, Kafka and ZooKeeper filters", () => {
  const statPrefix = `outbound|9090||${HOST}`;
  assertEnvoyFilterPatch({
    name: "envoy.filters.network.thrift_proxy",
    typed_config: {
      "@type": THRIFT_PROXY_TYPE_URL,
      statPrefix,
      routeConfig: {
        name: statPrefix,
        routes: [{
          match: { methodName: "" },
          route: {
            weightedClusters: { clusters: [{ name: "a", weight: 20 }, { name: "b", weight: 80 }] },
          },
        }],
      },
      thriftFilters: [{ name: "envoy.filters.thrift.router" }],
    },
  });
  for (
    const [name, url] of [["kafka_broker", KAFKA_BROKER_TYPE_URL], [
      "zookeeper_proxy",
      ZOOKEEPER_PROXY_TYPE_URL,
    ]]
  ) {
    assertEnvoyFilterPatch({
      name: `envoy.filters.network.${name}`,
      typed_config: { "@type": url, statPrefix },
    });
  }
});

Deno.test("validateEnvoyFilterPatch() accepts Redis prefix routes and cluster REMOVE/ADD patches", () => {
  const c = "outbound|6379||redis.redis.svc.cluster.local";
  assertEnvoyFilter({
    spec: {
      configPatches: [
        {
          applyTo: "NETWORK_FILTER",
          patch: {
            operation: "REPLACE",
            value: {
              name: "envoy.filters.network.redis_proxy",
              typed_config: {
                "@type": REDIS_PROXY_TYPE_URL,
                statPrefix: c,
                settings: {
                  opTimeout: "60s",
                  enableRedirection: true,
                  readPolicy: "PREFER_MASTER",
                },
                downstreamAuthPassword: { inlineString: "s3cret" },
                faults: [{
                  faultType: "DELAY",
                  delay: "2s",
                  commands: ["GET"],
                  faultEnabled: { defaultValue: { numerator: 500000, denominator: "MILLION" } },
                }],
                prefixRoutes: {
                  routes: [{
                    prefix: "user",
                    removePrefix: true,
                    cluster: c,
                    requestMirrorPolicy: [{
                      cluster: "outbound|6379||mirror",
                      excludeReadCommands: true,
                    }],
                  }],
                  catchAllRoute: { cluster: c },
                },
              },
            },
          },
        },
        { applyTo: "CLUSTER", match: { cluster: { name: c } }, patch: { operation: "REMOVE" } },
        {
          applyTo: "CLUSTER",
          patch: {
            operation: "ADD",
            value: {
              name: c,
              connectTimeout: "10s",
              clusterType: { name: "envoy.clusters.redis" },
              lbPolicy: "CLUSTER_PROVIDED",
              circuitBreakers: {
                thresholds: [{
                  maxConnections: 4294967295,
                  maxPendingRequests: 4294967295,
                  maxRequests: 4294967295,
                  maxRetries: 4294967295,
                }],
              },
              loadAssignment: {
                clusterName: c,
                endpoints: [{
                  lbEndpoints: [{
                    endpoint: {
                      address: { socketAddress: { address: "redis-0.redis", portValue: 6379 } },
                    },
                  }],
                }],
              },
              typedExtensionProtocolOptions: {
                "envoy.filters.network.redis_proxy": {
                  "@type": REDIS_PROTOCOL_OPTIONS_TYPE_URL,
                  authPassword: { inlineString: "p" },
                  authUsername: { inlineString: "u" },
                },
              },
              metadata: {
                filterMetadata: {
                  istio: {
                    default_original_port: 6379,
                    services: [{ host: "redis", name: "redis", namespace: "redis" }],
                  },
                },
              },
              filters: [{
                name: "istio.metadata_exchange",
                typedConfig: {
                  "@type": "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
                  protocol: "istio-peer-exchange",
                },
              }],
              transportSocketMatches: [{
                name: "tlsMode-disabled",
                transportSocket: { name: "envoy.transport_sockets.raw_buffer" },
              }],
            },
          },
        },
      ],
    },
  });
  const eds = {
    name: c,
    type: "EDS",
    edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: "V3" } },
    lbPolicy: "MAGLEV",
  };
  assert.equal(validateEnvoyFilterPatch(eds).ok, true);
  assertEnvoyConfig(CLUSTER_TYPE_URL, eds);
});

Deno.test("validateEnvoyFilterPatch() rejects unknown cluster fields and unknown applyTo", () => {
  const r = validateEnvoyFilterPatch({ name: "c", lbPolicy: "MAGLEVV", tyype: "EDS" }, {
    applyTo: "CLUSTER",
  });
  assert.deepEqual(r.ok ? [] : r.problems, [
    {
      path: "value.lbPolicy",
      message: 'Unknown value "MAGLEVV" for enum envoy.config.cluster.v3.Cluster.LbPolicy',
    },
    { path: "value.tyype", message: 'Unknown field "tyype" in envoy.config.cluster.v3.Cluster' },
  ]);
  const u = validateEnvoyFilterPatch({}, { applyTo: "BOGUS" });
  assert.match(u.ok ? "" : u.problems[0].message, /^Cannot check a patch for applyTo "BOGUS"/);
  assert.throws(
    () => assertEnvoyConfig(CLUSTER_TYPE_URL, { nam: "c" }),
    /value|nam: Unknown field "nam"/,
  );
});

Deno.test("assertEnvoyFilterPatch() accepts data-plane spec §2.1's typed MetaProtocolProxy", () => {
  const svc = "org.apache.dubbo.samples.basic.api.demoservice";
  assertEnvoyFilterPatch({
    name: "aeraki.meta_protocol_proxy",
    typed_config: {
      "@type": META_PROTOCOL_PROXY_TYPE_URL,
      protocol: {
        name: "dubbo",
        codec: { name: "aeraki.meta_protocol.codec.dubbo" },
        multiplexing: true,
      },
      tracing: { client_sampling: { value: 100 }, random_sampling: { value: 100 } },
      metaProtocolFilters: [{ name: "aeraki.meta_protocol.filters.router" }],
      routeConfig: {
        routes: [{
          name: "default-route",
          match: { metadata: [{ name: "method", exact_match: "sayHello" }] },
          route: {
            cluster: `outbound|20880||${svc}`,
            request_mirror_policies: [{
              cluster: `outbound|20880||${svc}.mirror`,
              runtime_fraction: { default_value: { numerator: 50 } },
            }],
          },
          request_mutation: [{ key: "foo", value: "bar" }, { key: "foo1", value: "bar1" }],
        }],
      },
      statPrefix: `outbound|20880||${svc}`,
    },
  });
});
