import assert from "node:assert/strict";
import { encode, lookupType, resolveType, typeNameOf, typeUrl } from "./mod.ts";

const MPP = "aeraki.meta_protocol_proxy.v1alpha";
const ROUTE = "aeraki.meta_protocol_proxy.config.route.v1alpha";
const FILTERS = "aeraki.meta_protocol_proxy.filters";

Deno.test("typeUrl() prefixes type.googleapis.com and typeNameOf() strips it", () => {
  assert.equal(typeUrl(`${MPP}.MetaProtocolProxy`), `type.googleapis.com/${MPP}.MetaProtocolProxy`);
  assert.equal(typeUrl(`type.googleapis.com/${MPP}.Rds`), `type.googleapis.com/${MPP}.Rds`);
  assert.equal(typeNameOf("example.com/a.b.C"), "a.b.C");
  assert.equal(typeNameOf(".a.b.C"), "a.b.C");
});

Deno.test("lookupType() loads our, Envoy's and the contrib Kafka types on demand", () => {
  for (
    const name of [
      `${MPP}.MetaProtocolProxy`,
      `${ROUTE}.RouteConfiguration`,
      `${FILTERS}.router.v1alpha.Router`,
      `${FILTERS}.local_ratelimit.v1alpha.LocalRateLimit`,
      `${FILTERS}.ratelimit.v1alpha.RateLimit`,
      `${FILTERS}.metadata_exchange.v1alpha.MetadataExchange`,
      `${FILTERS}.istio_stats.v1alpha.IstioStats`,
      "aeraki.meta_protocol.codec.DubboCodec",
      "aeraki.meta_protocol.codec.ThriftCodec",
      "aeraki.meta_protocol.codec.TrpcCodec",
      "aeraki.meta_protocol.codec.BrpcCodec",
      "aeraki.meta_protocol_proxy.admin.v1alpha.RoutesConfigDump",
      "envoy.extensions.filters.network.kafka_broker.v3.KafkaBroker",
      "envoy.extensions.filters.network.zookeeper_proxy.v3.ZooKeeperProxy",
      "envoy.config.cluster.v3.Cluster",
      "udpa.type.v1.TypedStruct",
      "xds.type.v3.TypedStruct",
    ]
  ) {
    assert.equal(lookupType(name)?.fullName, `.${name}`, name);
  }
});

Deno.test("lookupType() returns undefined and resolveType() a reason for unknown types", () => {
  assert.equal(lookupType("no.such.pkg.Message"), undefined);
  assert.deepEqual(resolveType("type.googleapis.com/no.such.Thing"), {
    ok: false,
    reason: 'Unknown message type "no.such.Thing"',
  });
  const e = resolveType("envoy.config.core.v3.RoutingPriority");
  assert.equal(e.ok, false);
  assert.match(!e.ok ? e.reason : "", /Cannot use enum/);
});

Deno.test("resolveType() explains unshipped imports and later lookups still work", () => {
  const r = resolveType("envoy.config.bootstrap.v2.Bootstrap");
  assert.equal(r.ok, false);
  assert.match(
    r.ok ? "" : r.reason,
    /^Unknown message type "envoy.config.bootstrap.v2.Bootstrap": Cannot load "envoy\/config\/bootstrap\/v2\/bootstrap.proto" imports missing "envoy\/api\/v2\//,
  );
  assert.equal(resolveType("envoy.config.bootstrap.v2.Bootstrap").ok, false);
  assert.ok(lookupType("envoy.config.bootstrap.v3.Bootstrap"));
  assert.ok(lookupType("envoy.config.cluster.v3.Cluster"));
});

Deno.test("lookupType() field numbers match data-plane spec §2", () => {
  const ids = (name: string) =>
    Object.fromEntries(lookupType(name)!.fieldsArray.map((f) => [f.name, f.id]));
  assert.deepEqual(ids(`${MPP}.MetaProtocolProxy`), {
    stat_prefix: 1,
    application_protocol: 2,
    rds: 3,
    route_config: 4,
    codec: 5,
    meta_protocol_filters: 6,
    tracing: 7,
    access_log: 8,
    idle_timeout: 11,
    protocol: 12,
  });
  assert.deepEqual(ids(`${MPP}.Tracing`), {
    client_sampling: 3,
    random_sampling: 4,
    overall_sampling: 5,
    verbose: 6,
    max_tag_length: 7,
    provider: 9,
  });
  const tracing = lookupType(`${MPP}.Tracing`)!;
  assert.ok(tracing.isReservedId(1) && tracing.isReservedId(2));
  assert.deepEqual(ids(`${ROUTE}.Route`), {
    name: 1,
    match: 2,
    route: 3,
    request_mutation: 19,
    response_mutation: 20,
  });
  assert.deepEqual(ids(`${ROUTE}.RouteAction`), {
    cluster: 1,
    weighted_clusters: 2,
    hash_policy: 10,
    request_mirror_policies: 11,
  });
  assert.deepEqual(ids(`${FILTERS}.ratelimit.v1alpha.RateLimit`), {
    match: 1,
    domain: 2,
    timeout: 3,
    failure_mode_deny: 4,
    rate_limit_service: 5,
    descriptors: 6,
  });
  for (const empty of ["router.v1alpha.Router", "metadata_exchange.v1alpha.MetadataExchange"]) {
    assert.deepEqual(ids(`${FILTERS}.${empty}`), {});
  }
});

/** [type, JSON with one field set, the expected leading key bytes on the wire] */
const WIRE_TAGS: ReadonlyArray<readonly [string, unknown, readonly number[]]> = [
  [`${MPP}.MetaProtocolProxy`, { statPrefix: "a" }, [0x0a]],
  [`${MPP}.MetaProtocolProxy`, { applicationProtocol: "a" }, [0x12]],
  [`${MPP}.MetaProtocolProxy`, { rds: {} }, [0x1a]],
  [`${MPP}.MetaProtocolProxy`, { routeConfig: {} }, [0x22]],
  [`${MPP}.MetaProtocolProxy`, { codec: {} }, [0x2a]],
  [`${MPP}.MetaProtocolProxy`, { metaProtocolFilters: [{}] }, [0x32]],
  [`${MPP}.MetaProtocolProxy`, { tracing: {} }, [0x3a]],
  [`${MPP}.MetaProtocolProxy`, { accessLog: [{}] }, [0x42]],
  [`${MPP}.MetaProtocolProxy`, { idleTimeout: "1s" }, [0x5a]],
  [`${MPP}.MetaProtocolProxy`, { protocol: {} }, [0x62]],
  [`${MPP}.Rds`, { routeConfigName: "a" }, [0x12]],
  [`${MPP}.MetaProtocolFilter`, { config: {} }, [0x12]],
  [`${MPP}.ApplicationProtocol`, { multiplexing: true }, [0x18]],
  [`${MPP}.Tracing`, { verbose: true }, [0x30]],
  [`${MPP}.Tracing`, { maxTagLength: 256 }, [0x3a]],
  [`${MPP}.Tracing`, { provider: { name: "z" } }, [0x4a]],
  [`${ROUTE}.Route`, { requestMutation: [{ key: "k" }] }, [0x9a, 0x01]],
  [`${ROUTE}.Route`, { responseMutation: [{ key: "k" }] }, [0xa2, 0x01]],
  [`${ROUTE}.RouteAction`, { hashPolicy: ["k"] }, [0x52]],
  [`${ROUTE}.RouteAction`, { requestMirrorPolicies: [{ cluster: "c" }] }, [0x5a]],
  [`${ROUTE}.RouteAction.RequestMirrorPolicy`, { runtimeFraction: {} }, [0x12]],
  [`${FILTERS}.local_ratelimit.v1alpha.LocalRateLimit`, { conditions: [{}] }, [0x1a]],
  [`${FILTERS}.ratelimit.v1alpha.RateLimit`, { failureModeDeny: true }, [0x20]],
  [`${FILTERS}.ratelimit.v1alpha.RateLimit`, { descriptors: [{ descriptorKey: "m" }] }, [0x32]],
  [`${FILTERS}.istio_stats.v1alpha.IstioStats`, { destinationService: "s" }, [0x0a]],
  ["aeraki.meta_protocol_proxy.admin.v1alpha.RoutesConfigDump", { staticRouteConfigs: [{}] }, [
    0x12,
  ]],
  ["aeraki.meta_protocol_proxy.admin.v1alpha.RoutesConfigDump.DynamicRouteConfig", {
    clientStatus: "ACKED",
  }, [0x28]],
  ["envoy.extensions.filters.network.kafka_broker.v3.KafkaBroker", {
    forceResponseRewrite: true,
  }, [0x10]],
];

Deno.test("encode() puts every field on the wire under its spec field number", () => {
  for (const [type, json, tag] of WIRE_TAGS) {
    const r = encode(type, json);
    assert.ok(r.ok, `${type} ${JSON.stringify(json)}`);
    assert.deepEqual([...r.bytes.slice(0, tag.length)], tag, `${type} ${JSON.stringify(json)}`);
  }
});

Deno.test("encode() of a protocol-only MetaProtocolProxy is the exact field 12 bytes", () => {
  const r = encode(`${MPP}.MetaProtocolProxy`, { protocol: { name: "x" } });
  assert.ok(r.ok);
  assert.deepEqual([...r.bytes], [0x62, 0x03, 0x0a, 0x01, 0x78]);
});
